"""The API root: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI

from fabriques.api.calls import router as calls_router
from fabriques.api.dossiers import router as dossiers_router
from fabriques.api.errors import install_error_handlers
from fabriques.api.exports import router as exports_router
from fabriques.api.followup import router as followup_router

api = NinjaAPI(
    title="API Fabriques",
    version="1",
    description="Appels, dossiers et décisions de l’AMI Tiers-lieux. Les données publiques sont en accès libre.",
    urls_namespace="api-v1",
    docs_url=None,  # Swagger UI loads from a CDN: refused by our CSP and offline machines
)
api.add_router("/", calls_router)
api.add_router("/", dossiers_router)
api.add_router("/", exports_router)
api.add_router("/", followup_router)
install_error_handlers(api)
