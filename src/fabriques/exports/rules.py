"""Who may export a wave's dossiers and who sees evaluators' scores in exports."""

from fabriques.accounts.enums import Role
from fabriques.accounts.models import CallRole

EXPORT_ROLES = (Role.ADMIN, Role.COMMITTEE, Role.INSTRUCTOR)
SCORE_ROLES = (Role.ADMIN, Role.COMMITTEE)


def _has(user, call_id: int, roles) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or CallRole.objects.filter(user=user, call_id=call_id, role__in=roles).exists()


def can_export(user, call) -> bool:
    """Admins, committee members and instructors export; what they get is scoped by dossiers_for_instruction."""
    return _has(user, call.pk, EXPORT_ROLES)


def can_export_scores(user, call) -> bool:
    return _has(user, call.pk, SCORE_ROLES)
