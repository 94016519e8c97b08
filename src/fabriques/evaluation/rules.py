"""Who may evaluate, see peers' evaluations and manage assignments; used by views and templates alike.

An evaluator sees only the dossiers assigned to them once they declared no conflict of interest;
before the declaration only the reference, track and commune are shown (see `queries.my_assignments`).
"""

from django.db.models import Q, QuerySet

from fabriques.accounts.capabilities import calls_with, can
from fabriques.dossiers.enums import EVALUATION_STATES
from fabriques.dossiers.models import Dossier
from fabriques.evaluation.enums import AssignmentState, EvaluationState, PeerVisibility
from fabriques.evaluation.models import Assignment
from fabriques.evaluation.queries import settings_for_wave
from fabriques.instruction.models import InstructionGroup
from fabriques.instruction.rules import can_instruct, dossiers_for_instruction


def dossiers_for_evaluator(user) -> QuerySet[Dossier]:
    """Dossiers whose content the evaluator may read: assigned to them and declared free of conflict."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    return Dossier.objects.filter(
        state__in=EVALUATION_STATES, assignments__evaluator=user, assignments__state=AssignmentState.ACTIVE
    )


def active_assignment(user, dossier: Dossier) -> Assignment | None:
    if not user.is_authenticated:
        return None
    return Assignment.objects.filter(dossier=dossier, evaluator=user, state=AssignmentState.ACTIVE).first()


def can_evaluate(user, dossier: Dossier) -> bool:
    """The assigned evaluator, after declaring no conflict, while the dossier is in evaluation."""
    return dossiers_for_evaluator(user).filter(pk=dossier.pk).exists()


def can_manage_assignments(user, call) -> bool:
    """Instructors of the call and its programme admins assign evaluators and reopen evaluations."""
    return can(user, "evaluation.assign", call)


def can_manage_dossier_evaluation(user, dossier: Dossier) -> bool:
    """Scoped like instruction: the programme admins of the call, and the instructors of the dossier's group only
    (its scores, its evaluators' e-mails, assigning, removing, reopening)."""
    return can_instruct(user, dossier)


def managed_dossiers(user) -> QuerySet[Dossier]:
    """The dossiers whose evaluation the user manages (the automatic assignment of an instructor stays in them)."""
    if user.is_superuser:
        return dossiers_for_instruction(user)
    admin_calls = calls_with(user, "dossier.instruct_all")
    my_groups = InstructionGroup.objects.filter(members=user).values("id")
    return dossiers_for_instruction(user).filter(
        Q(wave__call_id__in=admin_calls) | Q(instruction__group_id__in=my_groups))


def can_edit_evaluator_scopes(user, call) -> bool:
    """An evaluator's tracks and régions hold for the whole call, every group's dossiers: programme admins."""
    return can(user, "evaluation.scopes", call)


def can_edit_wave_settings(user, call) -> bool:
    return can(user, "evaluation.settings", call)


def can_see_peer_evaluations(user, dossier: Dossier) -> bool:
    """Managers and committee always; an evaluator per the wave's setting (never / after own / always)."""
    if can(user, "evaluation.read_peers", dossier.wave.call_id):
        return True
    assignment = active_assignment(user, dossier)
    if assignment is None or dossier.state not in EVALUATION_STATES:
        return False
    visibility = settings_for_wave(dossier.wave_id).peer_visibility
    if visibility == PeerVisibility.ALWAYS:
        return True
    if visibility == PeerVisibility.AFTER_OWN:
        return getattr(getattr(assignment, "evaluation", None), "state", None) == EvaluationState.SUBMITTED
    return False
