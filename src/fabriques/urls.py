from django.contrib import admin
from django.urls import include, path

from fabriques.api.api import api

urlpatterns = [
    path("", include("fabriques.calls.urls")),
    path("compte/", include("allauth.urls")),
    path("espace/", include("fabriques.accounts.urls")),
    path("dossiers/", include("fabriques.dossiers.urls")),
    path("territoire/", include("fabriques.territory.urls")),
    path("instruction/", include("fabriques.instruction.urls")),
    path("evaluation/", include("fabriques.evaluation.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
