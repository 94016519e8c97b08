from django.urls import path

from fabriques.committee import progress_views, views

app_name = "committee"
urlpatterns = [
    path("dossiers/<uuid:uuid>/", views.dossier, name="dossier"),
    path("decision/<uuid:uuid>/", views.applicant_decision, name="applicant-decision"),
    path("courriers/<int:pk>/decision.pdf", views.letter, name="letter"),
    path("<slug:call_slug>/<slug:wave_slug>/", views.session, name="session"),
    path("<slug:call_slug>/<slug:wave_slug>/comparer/", views.compare, name="compare"),
    path("<slug:call_slug>/<slug:wave_slug>/decisions/", views.decisions, name="decisions"),
    path("<slug:call_slug>/<slug:wave_slug>/courriers/", views.outbox, name="outbox"),
    path("<slug:call_slug>/<slug:wave_slug>/courriers/envoi/", progress_views.outbox_progress, name="outbox-progress"),
    path("<slug:call_slug>/<slug:wave_slug>/scenarios/", views.scenario_create, name="scenario-create"),
    path(
        "<slug:call_slug>/<slug:wave_slug>/scenarios/<int:pk>/reglages/",
        views.scenario_settings,
        name="scenario-settings",
    ),
    path("<slug:call_slug>/<slug:wave_slug>/scenarios/<int:pk>/calcul/", views.scenario_solve, name="scenario-solve"),
    path(
        "<slug:call_slug>/<slug:wave_slug>/scenarios/<int:pk>/retenir/", views.scenario_choose, name="scenario-choose"
    ),
    path(
        "<slug:call_slug>/<slug:wave_slug>/scenarios/<int:pk>/dossiers/<uuid:uuid>/",
        views.scenario_dossier,
        name="scenario-dossier",
    ),
]
