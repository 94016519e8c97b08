from django.urls import path

from fabriques.dossiers import cowriter_views, section_views, views

app_name = "dossiers"
urlpatterns = [
    path("", views.my_dossiers, name="list"),
    path("nouveau/", views.dossier_create, name="create"),
    path("organisations/nouvelle/", views.organisation_edit, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_edit, name="organisation-edit"),
    path("invitations/<str:token>/", views.cowriter_accept, name="cowriter-accept"),
    path("<uuid:uuid>/", views.dossier_detail, name="detail"),
    path("<uuid:uuid>/lieu/", section_views.place, name="place"),
    path("<uuid:uuid>/criteres/<slug:code>/", section_views.answer, name="answer"),
    path("<uuid:uuid>/budget/", section_views.budget, name="budget"),
    path("<uuid:uuid>/pieces/", section_views.attachments, name="attachments"),
    path("<uuid:uuid>/pieces/<uuid:file_uuid>/", section_views.attachment_download, name="attachment-download"),
    path("<uuid:uuid>/pieces/<uuid:file_uuid>/retirer/", section_views.attachment_delete, name="attachment-delete"),
    path("<uuid:uuid>/verification/", section_views.selfcheck, name="selfcheck"),
    path("<uuid:uuid>/coredacteurs/", views.cowriters, name="cowriters"),
    path("<uuid:uuid>/coredacteurs/<int:pk>/retirer/", cowriter_views.cowriter_revoke, name="cowriter-revoke"),
    path("<uuid:uuid>/coredacteurs/<int:pk>/renvoyer/", cowriter_views.cowriter_resend, name="cowriter-resend"),
    path("<uuid:uuid>/depot/", views.deposit, name="deposit"),
    path("<uuid:uuid>/retrait/", views.withdraw, name="withdraw"),
    path("<uuid:uuid>/versions/<int:number>/attestation.pdf", views.proof, name="proof"),
]
