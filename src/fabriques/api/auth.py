"""Bearer-token authentication for agents, with a rate limit per token (database fixed window)."""

from django.utils import timezone
from ninja.security import HttpBearer

from fabriques.accounts.capabilities import can
from fabriques.api.errors import ApiError
from fabriques.apitokens.domain import rate_limit_hit
from fabriques.apitokens.models import ApiToken
from fabriques.apitokens.queries import token_active


class TokenAuth(HttpBearer):
    """`Authorization: Bearer fab_…`; request.auth is the ApiToken. Unknown/expired/revoked: 401; over limit: 429."""

    def authenticate(self, request, token: str) -> ApiToken | None:
        api_token = token_active(token)
        if api_token is None:
            return None
        wait = rate_limit_hit(token=api_token)
        if wait:
            raise ApiError(429, "rate_limited", f"Trop de requêtes pour ce jeton : réessayez dans {wait} s.",
                           {"Retry-After": str(wait)})
        if api_token.last_used_at is None or (timezone.now() - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        return api_token


def require_write(request) -> None:
    if not request.auth.can_write:
        raise ApiError(403, "read_only",
                       "Ce jeton est en lecture seule : cette opération demande un jeton en écriture.")


def require_call(request, slug: str) -> None:
    """Refuse (403) a call the token does not cover."""
    if not request.auth.calls.filter(slug=slug).exists():
        raise ApiError(403, "call_out_of_scope", f"Ce jeton ne donne pas accès à l’appel « {slug} ».")


def require_capability(request, capability: str, on=None, message: str = "") -> None:
    """The API's capability check (accounts.capabilities): the token's owner must hold `capability` on the call of
    `on`, else the API's 403 error body with `message`."""
    if not can(request.auth.owner, capability, on):
        raise ApiError(403, "forbidden", message or "Votre rôle sur cet appel ne permet pas cette action.")


ERRORS = (401, 403, 404, 413, 422, 429)
