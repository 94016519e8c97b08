from django.urls import path

from fabriques.exports import journal_views as views

app_name = "audit"
urlpatterns = [
    path("<slug:slug>/", views.audit_log, name="log"),
]
