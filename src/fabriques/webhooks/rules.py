"""Webhooks of a call are managed, and their delivery log read, by the call's programme admins."""

from fabriques.accounts.enums import Role
from fabriques.accounts.models import CallRole


def can_manage_webhooks(user, call) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or CallRole.objects.filter(user=user, call=call, role=Role.ADMIN).exists()
