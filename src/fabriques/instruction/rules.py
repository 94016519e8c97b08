"""Who among the agents may see and act on which dossier.

Every agent list is a queryset built here, so nothing is filtered in Python after the fact.
- programme admins and committee members of the call see every submitted dossier of the call;
- instructors see the submitted dossiers routed to a group they belong to;
- evaluators see only the dossiers assigned to them, once they declared no conflict
  (the evaluation app adds its own predicate for that: `evaluation.rules`).
Drafts are never shown to agents.
"""

from django.db.models import Q, QuerySet

from fabriques.accounts.capabilities import calls_with, can
from fabriques.calls.models import Wave
from fabriques.dossiers.enums import SUBMITTED_STATES
from fabriques.dossiers.models import Dossier
from fabriques.instruction.models import ComplementItem, Instruction, InstructionGroup


def is_agent(user) -> bool:
    return can(user, "agent.space")


def dossiers_for_instruction(user) -> QuerySet[Dossier]:
    """Submitted dossiers an admin, committee member or instructor may see (evaluators: see evaluation.rules)."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    submitted = Dossier.objects.filter(state__in=SUBMITTED_STATES)
    if user.is_superuser:
        return submitted
    wide_calls = list(calls_with(user, "dossier.read_all").values_list("call_id", flat=True))
    instructor_calls = list(calls_with(user, "dossier.instruct").values_list("call_id", flat=True))
    # Two semi-joins (ids of the calls' waves, ids of the groups' dossiers) rather than joins: PostgreSQL hashes each
    # small list once, and the dossiers can then be read through their own indexes (the dashboard's per-wave order).
    seen = Q()
    if wide_calls:
        seen |= Q(wave_id__in=Wave.objects.filter(call_id__in=wide_calls).values("id"))
    if instructor_calls:
        my_groups = InstructionGroup.objects.filter(members=user, call_id__in=instructor_calls).values("id")
        seen |= Q(pk__in=Instruction.objects.filter(group_id__in=my_groups).values("dossier_id"))
    return submitted.filter(seen) if seen else Dossier.objects.none()


def can_instruct(user, dossier: Dossier) -> bool:
    """Instructors of the dossier's group, and programme admins of the call, act on its instruction."""
    if not user.is_authenticated:
        return False
    if can(user, "dossier.instruct_all", dossier.wave.call_id):
        return True
    return InstructionGroup.objects.filter(
        members=user,
        instructions__dossier=dossier,
        call_id=dossier.wave.call_id,
        call_id__in=calls_with(user, "dossier.instruct"),
    ).exists()


def can_view_as_instruction_agent(user, dossier: Dossier) -> bool:
    return dossiers_for_instruction(user).filter(pk=dossier.pk).exists()


def open_complement_sections(*, dossier: Dossier, at) -> set[str]:
    """The sections the dossier's unanswered request for complements reopens until its reply deadline (registered in
    dossiers.rules.COMPLEMENT_SECTION_SOURCES)."""
    items = ComplementItem.objects.filter(request__dossier=dossier, request__answered_at__isnull=True,
                                          request__due_at__gt=at)
    return set(items.values_list("section", flat=True))
