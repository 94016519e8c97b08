"""Reads of the evaluation side shaped for the pages: settings, an evaluator's list, loads, the grid."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from fabriques.accounts.capabilities import roles_with
from fabriques.accounts.models import User
from fabriques.calls.models import Criterion
from fabriques.dossiers.models import Answer, Dossier
from fabriques.evaluation.enums import AssignmentState, EvaluationState
from fabriques.evaluation.models import Assignment, Evaluation, EvaluatorScope, WaveEvaluationSettings

IN_PLAY = (AssignmentState.AWAITING_DECLARATION, AssignmentState.ACTIVE)


def settings_for_wave(wave_id: int) -> WaveEvaluationSettings:
    """The wave's settings, or the defaults (unsaved) when none were stored."""
    return WaveEvaluationSettings.objects.filter(wave_id=wave_id).first() or WaveEvaluationSettings(wave_id=wave_id)


def my_assignments(user) -> QuerySet[Assignment]:
    """The evaluator's assignments still in play, with what the list shows, in one query."""
    return (
        Assignment.objects.filter(evaluator=user, state__in=IN_PLAY)
        .select_related("dossier__track", "dossier__place_commune", "dossier__wave", "evaluation")
        .order_by("state", "dossier__reference")
    )


def evaluators_of_call(call, wave) -> QuerySet[User]:
    """Evaluators of the call with their scopes and their load on the wave (in play, submitted)."""
    in_wave = Q(assignments__dossier__wave=wave)
    return (
        User.objects.filter(call_roles__call=call, call_roles__role__in=roles_with("evaluation.evaluate"))
        .annotate(
            load=Count("assignments", filter=in_wave & Q(assignments__state__in=IN_PLAY), distinct=True),
            submitted=Count(
                "assignments",
                filter=in_wave & Q(assignments__state=AssignmentState.ACTIVE,
                                   assignments__evaluation__state=EvaluationState.SUBMITTED),
                distinct=True,
            ),
            conflicts=Count("assignments", filter=in_wave & Q(assignments__state=AssignmentState.CONFLICT),
                            distinct=True),
        )
        .prefetch_related(
            Prefetch("evaluator_scopes", queryset=EvaluatorScope.objects.filter(call=call).select_related("track"))
        )
        .order_by("last_name", "email")
    )


def dossier_assignments(dossier: Dossier) -> list[Assignment]:
    return list(
        dossier.assignments.select_related("evaluator", "evaluation", "declaration").order_by("assigned_at", "pk")
    )


@dataclass
class GridLine:
    criterion: Criterion
    answer: str


def grid_lines(dossier: Dossier) -> list[GridLine]:
    """The dossier's answer criterion by criterion, for the criteria of its track."""
    criteria = list(Criterion.objects.filter(tracks=dossier.track_id).order_by("position"))
    answers = dict(Answer.objects.filter(dossier=dossier).values_list("criterion_id", "text"))
    return [GridLine(c, answers.get(c.pk, "")) for c in criteria]


def peer_evaluations(assignment: Assignment) -> list[Evaluation]:
    """Submitted evaluations of the other active evaluators of the same dossier."""
    return list(
        Evaluation.objects.filter(
            assignment__dossier_id=assignment.dossier_id, assignment__state=AssignmentState.ACTIVE,
            state=EvaluationState.SUBMITTED,
        )
        .exclude(assignment=assignment)
        .select_related("assignment__evaluator")
        .prefetch_related("scores__criterion")
        .order_by("submitted_at")
    )
