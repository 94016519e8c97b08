from django.urls import path

from fabriques.followup import programme_views, report_views, views

app_name = "followup"

urlpatterns = [
    path("", views.home, name="index"),
    path("conventions/<uuid:uuid>/", views.agreement_detail, name="agreement"),
    path("conventions/<uuid:uuid>/version-<int:number>.pdf", views.agreement_version_pdf, name="agreement-pdf"),
    path("conventions/<uuid:uuid>/exemplaire-signe/", views.signed_copy_upload, name="signed-upload"),
    path("conventions/<uuid:uuid>/exemplaire-signe/telecharger/", views.signed_copy_download, name="signed-download"),
    path("conventions/<uuid:uuid>/action/", views.agreement_action, name="agreement-action"),
    path("conventions/<uuid:uuid>/avenant/", views.agreement_amend, name="amend"),
    path("conventions/<uuid:uuid>/fin-anticipee/", views.agreement_terminate, name="terminate"),
    path("tranches/<int:pk>/", views.tranche_action, name="tranche-action"),
    path("comptes-rendus/<uuid:uuid>/", report_views.report_page, name="report"),
    path("comptes-rendus/<uuid:uuid>/pieces/", report_views.report_attachment_add, name="report-attachment-add"),
    path("comptes-rendus/<uuid:uuid>/pieces/<uuid:file_uuid>/", report_views.report_attachment,
         name="report-attachment"),
    path("comptes-rendus/<uuid:uuid>/pieces/<uuid:file_uuid>/retirer/", report_views.report_attachment_remove,
         name="report-attachment-remove"),
    path("comptes-rendus/<uuid:uuid>/attestation-<int:number>.pdf", report_views.report_proof, name="report-proof"),
    path("comptes-rendus/<uuid:uuid>/examen/", report_views.report_review, name="report-review"),
    path("programme/<slug:call_slug>/", programme_views.programme, name="programme"),
    path("programme/<slug:call_slug>/export.<str:fmt>", programme_views.programme_export, name="programme-export"),
    path("programme/<slug:call_slug>/conventions/", programme_views.generate, name="generate"),
    path("programme/<slug:call_slug>/mise-en-paiement/", programme_views.payments_request, name="payments-request"),
    path("programme/<slug:call_slug>/mise-en-paiement.<str:fmt>", programme_views.payments_export,
         name="payments-export"),
    path("programme/<slug:call_slug>/indicateurs/", programme_views.indicators, name="indicators"),
    path("donnees/<slug:call_slug>/indicateurs.csv", programme_views.opendata_csv, name="opendata-csv"),
    path("donnees/<slug:call_slug>/datapackage.json", programme_views.opendata_datapackage,
         name="opendata-datapackage"),
]
