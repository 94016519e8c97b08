from django.urls import path

from fabriques.evaluation import bulk_views, views

app_name = "evaluation"
urlpatterns = [
    path("vagues/", views.waves, name="waves"),
    path("vagues/<int:wave_id>/evaluateurs/", views.evaluators, name="evaluators"),
    path("vagues/<int:wave_id>/evaluateurs/<int:user_id>/perimetre/", views.scope_edit, name="scope_edit"),
    path("vagues/<int:wave_id>/affectation-automatique/", views.assign_auto, name="assign_auto"),
    path("vagues/<int:wave_id>/reglages/", views.wave_settings, name="wave_settings"),
    path("dossiers/<uuid:uuid>/affectations/", views.dossier_assignments, name="dossier_assignments"),
    path("affectations/<int:pk>/retirer/", views.assignment_remove, name="assignment_remove"),
    path("evaluations/<int:pk>/rouvrir/", views.evaluation_reopen, name="evaluation_reopen"),
    path("mes-evaluations/", views.mine, name="mine"),
    path("lot/", bulk_views.bulk_act, name="bulk"),
    path("affectations/<int:pk>/declaration/", views.declare, name="declare"),
    path("affectations/<int:pk>/grille/", views.grid, name="grid"),
    path("affectations/<int:pk>/pieces/<uuid:file_uuid>/", views.attachment, name="attachment"),
]
