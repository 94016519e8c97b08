"""Permission predicates on accounts and roles; used by views, API and templates alike."""

from fabriques.accounts.enums import Role
from fabriques.accounts.models import CallRole


def has_role(user, call, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    return CallRole.objects.filter(user=user, call=call, role__in=roles).exists()


def can_invite_agents(user, call) -> bool:
    """Only a programme admin of the call (or a superuser) invites agents."""
    return user.is_authenticated and (user.is_superuser or has_role(user, call, Role.ADMIN))
