"""Who sees the programme statistics and the agents' map: admins and committee members of the call."""

from fabriques.accounts.enums import Role
from fabriques.calls.models import Call

PROGRAMME_ROLES = (Role.ADMIN, Role.COMMITTEE)


def calls_for_programme_team(user):
    if not user.is_authenticated:
        return Call.objects.none()
    if user.is_superuser:
        return Call.objects.all()
    return Call.objects.filter(roles__user=user, roles__role__in=PROGRAMME_ROLES).distinct()


def can_see_statistics(user, call) -> bool:
    return calls_for_programme_team(user).filter(pk=call.pk).exists()
