from django.contrib import admin
from django.urls import include, path

from fabriques.accounts import proconnect
from fabriques.api.api import api
from fabriques.operations.health import health
from fabriques.security.views import admin_login

urlpatterns = [
    path("", include("fabriques.calls.urls")),
    # ProConnect: allauth's OpenID Connect paths, served by views that keep the ID token (log-out) and amr/acr.
    path("compte/oidc/<str:provider_id>/login/", proconnect.login, name="proconnect_login"),
    path("compte/oidc/<str:provider_id>/login/callback/", proconnect.callback, name="proconnect_callback"),
    path("compte/", include("allauth.urls")),
    path("espace/", include("fabriques.personal.urls")),
    path("dossiers/", include("fabriques.dossiers.urls")),
    path("territoire/", include("fabriques.territory.urls")),
    path("instruction/", include("fabriques.instruction.urls")),
    path("comite/", include("fabriques.committee.urls")),
    path("suivi/", include("fabriques.followup.urls")),
    path("evaluation/", include("fabriques.evaluation.urls")),
    path("api/v1/", api.urls),
    path("espace/jetons/", include("fabriques.apitokens.urls")),
    path("donnees/", include("fabriques.opendata.urls")),
    path("exports/", include("fabriques.exports.urls")),
    path("webhooks/", include("fabriques.webhooks.urls")),
    path("conseil/", include("fabriques.advice.urls")),
    path("questions/", include("fabriques.faq.urls")),
    path("sante/", health, name="health"),  # the load balancer's check: database, storage, worker lag
    path("admin/login/", admin_login, name="admin_login"),  # before the admin: no password-only form
    path("", include("fabriques.theme.urls")),
    path("dev/courriels/", include("fabriques.mail.urls")),
    path("journal/", include("fabriques.exports.journal_urls")),
    path("admin/", admin.site.urls),
]

handler400 = "fabriques.theme.views.error_400"
handler403 = "fabriques.theme.views.error_403"
handler404 = "fabriques.theme.views.error_404"
handler500 = "fabriques.theme.views.error_500"
