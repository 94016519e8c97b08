"""Who sees and acts on the follow-up of a laureate.

The laureate's members (owner of the dossier, members of its organisation) see their agreement and reports and
write the reports; the agents of the call see the follow-up (programme admins, committee members, instructors;
not evaluators); programme admins and instructors act on it (send, start, amend, pay, review). Nobody else sees
anything: the views fetch through the querysets below and answer 404 when an object is not in them.
"""

from django.db.models import Q, QuerySet

from fabriques.accounts.capabilities import calls_with, can
from fabriques.accounts.models import Organisation
from fabriques.calls.models import Call
from fabriques.followup.models import Agreement, Report


def agreements_for_agent(user, *, manage: bool = False) -> QuerySet[Agreement]:
    """The agreements of the calls where the user is an agent of the follow-up (all of them for a superuser)."""
    if not user.is_authenticated:
        return Agreement.objects.none()
    if user.is_superuser:
        return Agreement.objects.all()
    return Agreement.objects.filter(call_id__in=calls_with(user, "followup.manage" if manage else "followup.view"))


def agreements_for_laureate(user) -> QuerySet[Agreement]:
    """The agreements of the dossiers the user owns or whose organisation they belong to."""
    if not user.is_authenticated:
        return Agreement.objects.none()
    return Agreement.objects.filter(
        Q(dossier__owner=user) | Q(dossier__organisation__in=Organisation.objects.filter(members__user=user))
    )


def agreements_visible_to(user) -> QuerySet[Agreement]:
    if not user.is_authenticated:
        return Agreement.objects.none()
    return Agreement.objects.filter(
        Q(pk__in=agreements_for_agent(user).values("pk")) | Q(pk__in=agreements_for_laureate(user).values("pk")))


def reports_visible_to(user) -> QuerySet[Report]:
    return Report.objects.filter(agreement__in=agreements_visible_to(user).values("pk"))


def is_laureate_member(user, agreement: Agreement) -> bool:
    return agreements_for_laureate(user).filter(pk=agreement.pk).exists()


def can_manage(user, agreement: Agreement) -> bool:
    return agreements_for_agent(user, manage=True).filter(pk=agreement.pk).exists()


def can_view_programme(user, call) -> bool:
    return can(user, "followup.view", call)


def can_manage_programme(user, call) -> bool:
    return can(user, "followup.manage", call)


def can_upload_signed_copy(user, agreement: Agreement) -> bool:
    """The laureate's members or the agents who manage the follow-up."""
    return is_laureate_member(user, agreement) or can_manage(user, agreement)


def can_write_report(user, report: Report) -> bool:
    return is_laureate_member(user, report.agreement)


def calls_followed_by(user) -> QuerySet:
    if not user.is_authenticated:
        return Call.objects.none()
    if user.is_superuser:
        return Call.objects.filter(followup_settings__isnull=False)
    return Call.objects.filter(pk__in=calls_with(user, "followup.view"), followup_settings__isnull=False)
