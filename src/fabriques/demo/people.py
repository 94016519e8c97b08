"""The demo's accounts: confirmed, sharing one password, with a role on the call when given (used by every part of
the demo, so below them: domain.py runs the parts, the parts import this)."""

from __future__ import annotations

import functools

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from fabriques.accounts.domain import role_grant
from fabriques.accounts.models import User


@functools.cache
def _hashed(password: str) -> str:
    """Demo accounts share one password: hash it once (PBKDF2 is slow on purpose)."""
    return make_password(password)


def demo_user(email: str, password: str, *, call, role=None, first_name: str = "") -> User:
    """A confirmed demo account, with a role on the call if given; an existing account keeps its data."""
    user = User.objects.filter(email=email).first() or User.objects.create(
        email=email, password=_hashed(password), first_name=first_name
    )
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if role:
        role_grant(user=user, call=call, role=role)
    return user
