"""Reads on API tokens."""

from django.utils import timezone

from fabriques.apitokens.domain import token_hash
from fabriques.apitokens.models import ApiToken
from fabriques.instruction.rules import dossiers_for_instruction


def token_active(raw: str) -> ApiToken | None:
    """The active token whose hash matches `raw`, with its owner, or None (unknown, expired or revoked)."""
    token = ApiToken.objects.select_related("owner").filter(token_hash=token_hash(raw)).first()
    if token is None or not token.is_active(timezone.now()) or not token.owner.is_active:
        return None
    return token


def tokens_of(user):
    return ApiToken.objects.filter(owner=user).prefetch_related("calls").order_by("-created_at")


def dossiers_for_token(token: ApiToken):
    """Submitted dossiers the token's owner may see as an instruction agent, in the token's calls only."""
    return dossiers_for_instruction(token.owner).filter(wave__call__in=token.calls.values("id"))

