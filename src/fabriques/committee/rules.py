"""Who sits on the committee of a call, who applies decisions and sends letters."""

from fabriques.accounts.enums import Role
from fabriques.accounts.models import CallRole


def _has(user, call, *roles) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or CallRole.objects.filter(user=user, call=call, role__in=roles).exists()


def can_sit(user, call) -> bool:
    """Committee members and programme admins see the session page, scenarios and staged decisions."""
    return _has(user, call, Role.COMMITTEE, Role.ADMIN)


def can_apply(user, call) -> bool:
    """Only programme admins apply the staged decisions and send the letters."""
    return _has(user, call, Role.ADMIN)
