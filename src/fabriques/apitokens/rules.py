"""Who may hold API tokens, and on which calls: agents, on the calls where they have an agent role."""

from fabriques.accounts.enums import AGENT_ROLES
from fabriques.calls.models import Call


def calls_for_tokens(user):
    if not user.is_authenticated:
        return Call.objects.none()
    if user.is_superuser:
        return Call.objects.all()
    return Call.objects.filter(roles__user=user, roles__role__in=AGENT_ROLES).distinct()


def can_hold_tokens(user) -> bool:
    return calls_for_tokens(user).exists()
