"""Writes on API tokens: creation (the token is returned once), revocation, rate-limit counting."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fabriques.apitokens.models import ApiRateWindow, ApiToken
from fabriques.audit.domain import audit_record
from fabriques.refusal import Refusal

TOKEN_PREFIX = "fab_"  # noqa: S105 - a public prefix that makes tokens recognisable, not a secret


class TokenError(Refusal):
    """A token that cannot be created as asked; the message is for the person."""


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, owner, name: str, calls, can_write: bool, expires_at: dt.datetime) -> tuple[ApiToken, str]:
    """A new token for `owner` on `calls`; only its hash is stored, the raw token is returned once."""
    calls = list(calls)
    if not calls:
        raise TokenError("Choisissez au moins un appel.")
    if expires_at <= timezone.now():
        raise TokenError("La date d’expiration doit être dans le futur.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            owner=owner, name=name, can_write=can_write, prefix=raw[:12], token_hash=token_hash(raw),
            expires_at=expires_at,
        )
        token.calls.set(calls)
        audit_record(action="apitoken.create", obj=token, by=owner,
                     after={"name": name, "calls": [c.pk for c in calls], "can_write": can_write})
    return token, raw


def token_revoke(*, token: ApiToken, by) -> ApiToken:
    """The token stops working now; revoking twice keeps the first date."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="apitoken.revoke", obj=token, by=by)
    return token


def rate_limit_hit(*, token: ApiToken, now: dt.datetime | None = None) -> int:
    """Count one request in the token's current minute and return how many seconds to wait (0: allowed).

    A fixed window stored in the database: atomic UPDATE ... SET count = count + 1, shared by all servers.
    """
    now = now or timezone.now()
    window = now.replace(second=0, microsecond=0)
    limit = settings.FABRIQUES_API_RATE_LIMIT
    updated = ApiRateWindow.objects.filter(token=token, window_start=window).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                ApiRateWindow.objects.create(token=token, window_start=window, count=1)
        except IntegrityError:  # another server created the row first
            ApiRateWindow.objects.filter(token=token, window_start=window).update(count=F("count") + 1)
        else:
            return 0
    count = ApiRateWindow.objects.filter(token=token, window_start=window).values_list("count", flat=True).get()
    if count <= limit:
        return 0
    return max(1, 60 - now.second)
