from django.urls import path

from fabriques.audit import views

app_name = "audit"
urlpatterns = [
    path("<slug:slug>/", views.audit_log, name="log"),
]
