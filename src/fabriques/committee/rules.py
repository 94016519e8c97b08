"""Who sits on the committee of a call, who applies decisions and sends letters."""

from fabriques.accounts.capabilities import calls_with, can
from fabriques.instruction.rules import dossiers_for_instruction


def can_sit(user, call) -> bool:
    """Committee members and programme admins see the session page, scenarios and staged decisions."""
    return can(user, "committee.sit", call)


def can_apply(user, call) -> bool:
    """Only programme admins apply the staged decisions and send the letters."""
    return can(user, "committee.decide", call)


def dossiers_for_committee(user):
    """Submitted dossiers of the calls where the user sits on the committee or administers the programme."""
    if not user.is_authenticated:
        return dossiers_for_instruction(user)
    scoped = dossiers_for_instruction(user)
    return scoped if user.is_superuser else scoped.filter(wave__call_id__in=calls_with(user, "committee.sit"))
