"""Who sits on the committee of a call, who applies decisions and sends letters."""

from fabriques.accounts.enums import Role
from fabriques.accounts.models import CallRole
from fabriques.instruction.rules import dossiers_for_instruction


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


def dossiers_for_committee(user):
    """Submitted dossiers of the calls where the user sits on the committee or administers the programme."""
    if not user.is_authenticated:
        return dossiers_for_instruction(user)
    calls = CallRole.objects.filter(user=user, role__in=[Role.COMMITTEE, Role.ADMIN]).values("call_id")
    scoped = dossiers_for_instruction(user)
    return scoped if user.is_superuser else scoped.filter(wave__call_id__in=calls)
