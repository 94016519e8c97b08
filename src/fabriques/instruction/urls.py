from django.urls import path

from fabriques.instruction import act_views, bundle_views, follow_views, saved_filter_views, views

app_name = "instruction"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("colonnes/", views.dashboard_columns, name="columns"),
    path("filtres/", saved_filter_views.save, name="saved-filter-save"),
    path("filtres/<int:pk>/supprimer/", saved_filter_views.delete, name="saved-filter-delete"),
    path("appels/<slug:slug>/groupes/", views.groups, name="groups"),
    path("dossiers/<uuid:uuid>/", views.dossier, name="dossier"),
    path("dossiers/<uuid:uuid>/commencer/", views.start, name="start"),
    path("dossiers/<uuid:uuid>/suivre/", follow_views.follow, name="follow"),
    path("dossiers/<uuid:uuid>/attribuer/", follow_views.assign, name="assign"),
    path("dossiers/<uuid:uuid>/etiquettes/", follow_views.labels, name="labels"),
    path("dossiers/<uuid:uuid>/dossier.pdf", bundle_views.dossier_pdf, name="dossier-pdf"),
    path("dossiers/<uuid:uuid>/dossier.zip", bundle_views.dossier_zip, name="dossier-zip"),
    path("dossiers/<uuid:uuid>/confirmer/", views.confirm_check, name="confirm"),
    path("dossiers/<uuid:uuid>/decision/", views.decide, name="decide"),
    path("dossiers/<uuid:uuid>/complements/", views.request_complements, name="complements"),
    path("dossiers/<uuid:uuid>/complements/<int:pk>/prolonger/", act_views.complement_extend,
         name="complement-extend"),
    path("dossiers/<uuid:uuid>/complements/<int:pk>/annuler/", act_views.complement_cancel, name="complement-cancel"),
    path("dossiers/<uuid:uuid>/complements/<int:pk>/differences/", act_views.complement_diff,
         name="complement-diff"),
    path("dossiers/<uuid:uuid>/repasser-en-instruction/", act_views.reinstruct, name="reinstruct"),
    path("dossiers/<uuid:uuid>/classer-sans-suite/", act_views.close_without_followup, name="close"),
    path("dossiers/<uuid:uuid>/orientation/", views.reroute, name="reroute"),
    path("dossiers/<uuid:uuid>/territoire/", views.territory_class, name="territory-class"),
    path("dossiers/<uuid:uuid>/messages/", views.post_message, name="message"),
    path("dossiers/<uuid:uuid>/echanges/", views.exchanges, name="exchanges"),
    path("dossiers/<uuid:uuid>/pieces/<uuid:file_uuid>/", views.attachment, name="attachment"),
    path("messages/<int:pk>/piece/", views.message_attachment, name="message-attachment"),
]
