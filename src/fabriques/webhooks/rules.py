"""Webhooks of a call are managed, and their delivery log read, by the call's programme admins."""

from fabriques.accounts.capabilities import can


def can_manage_webhooks(user, call) -> bool:
    return can(user, "webhooks.manage", call)
