"""Who sees the programme statistics and the agents' map: admins and committee members of the call."""

from fabriques.accounts.capabilities import calls_with
from fabriques.calls.models import Call


def calls_for_programme_team(user):
    if not user.is_authenticated:
        return Call.objects.none()
    if user.is_superuser:
        return Call.objects.all()
    return Call.objects.filter(pk__in=calls_with(user, "statistics.view"))


def can_see_statistics(user, call) -> bool:
    return calls_for_programme_team(user).filter(pk=call.pk).exists()
