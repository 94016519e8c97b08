"""Who may hold API tokens, and on which calls: agents, on the calls where they have an agent role."""

from fabriques.accounts.capabilities import calls_with
from fabriques.calls.models import Call


def calls_for_tokens(user):
    if not user.is_authenticated:
        return Call.objects.none()
    if user.is_superuser:
        return Call.objects.all()
    return Call.objects.filter(pk__in=calls_with(user, "agent.space"))


def can_hold_tokens(user) -> bool:
    return calls_for_tokens(user).exists()
