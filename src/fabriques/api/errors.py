"""One error body for the whole API: {"code": ..., "message": ...} with a French message."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from fabriques.refusal import Refusal


class ApiError(Exception):
    """An error answered as-is: HTTP status, a stable code and a message for people."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def _field(loc) -> str:
    return ".".join(str(p) for p in loc if p not in ("query", "path", "body"))


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request, status, code, message, headers=None, **extra):
        response = api.create_response(request, {"code": code, "message": message, **extra}, status=status)
        for key, value in (headers or {}).items():
            response[key] = value
        return response

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return respond(request, exc.status, exc.code, exc.message, exc.headers)

    @api.exception_handler(Refusal)
    def refused(request, exc: Refusal):
        """Any domain refusal: its own status (409 by default), code and French message, and the field if one."""
        extra = {"field": exc.field} if exc.field else {}
        return respond(request, exc.status, exc.code, exc.message, **extra)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return respond(request, 401, "unauthorized",
                       "Jeton absent, inconnu, expiré ou révoqué (en-tête « Authorization: Bearer … »).",
                       {"WWW-Authenticate": "Bearer"})

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        fields = sorted({_field(e.get("loc", ())) for e in exc.errors} - {""})
        message = "Paramètres invalides" + (f" : {', '.join(fields)}." if fields else ".")
        return respond(request, 422, "invalid", message)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        from django.conf import settings

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return respond(request, 413, "too_large", f"Corps de requête trop volumineux : au plus {limit} Ko.")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "not_found", "Ressource introuvable.")
