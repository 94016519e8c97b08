from django.urls import path

from fabriques.exports import views

app_name = "exports"
urlpatterns = [
    path("<slug:call_slug>/<slug:wave_slug>/", views.wave_exports, name="wave"),
    path("<slug:call_slug>/<slug:wave_slug>/telecharger.<str:fmt>", views.wave_download, name="download"),
    path("<slug:call_slug>/<slug:wave_slug>/taches/", views.job_create, name="job-create"),
    path("<slug:call_slug>/<slug:wave_slug>/taches/etat/", views.wave_jobs, name="jobs"),
    path("taches/<int:pk>/fichier/", views.job_download, name="job-download"),
]
