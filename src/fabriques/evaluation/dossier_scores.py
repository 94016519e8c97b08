"""A dossier's evaluation progress and its stored consolidated figures (`DossierScore`).

A dossier is `evaluated` when every assignment still in play (awaiting a declaration or active)
has a submitted evaluation and at least one such evaluation exists."""

from __future__ import annotations

from fabriques.calls.models import Criterion
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.dossiers.workflow import dossier_transition
from fabriques.evaluation.consolidation import CriterionSpec, EvaluationInput, consolidate
from fabriques.evaluation.enums import (
    AssignmentState,
    EvaluationState,
)
from fabriques.evaluation.models import (
    Assignment,
    DossierScore,
    Evaluation,
)
from fabriques.evaluation.queries import IN_PLAY, counted, settings_for_wave


def dossier_progress(dossier: Dossier, by) -> None:
    """Move the dossier to evaluated once every assignment in play has a submitted evaluation."""
    if dossier.state != DossierState.IN_EVALUATION:
        return
    states = list(
        Assignment.objects.filter(dossier=dossier, state__in=IN_PLAY).values_list("state", "evaluation__state")
    )
    if states and all(a == AssignmentState.ACTIVE and e == EvaluationState.SUBMITTED for a, e in states):
        dossier_transition(dossier, DossierState.EVALUATED, by=by, reason="Toutes les évaluations sont soumises")


def dossier_scores_refresh(*, dossier: Dossier) -> DossierScore:
    """Recompute and store the dossier's consolidated figures from its submitted, active evaluations."""
    criteria = list(Criterion.objects.filter(tracks=dossier.track_id).order_by("position"))
    evaluations = list(
        Evaluation.objects.filter(counted(), assignment__dossier=dossier)
        .select_related("assignment").prefetch_related("scores__criterion")
    )
    wave_settings = settings_for_wave(dossier.wave_id)
    values = {"n_evaluations": len(evaluations), "weighted": None, "median": None, "spread": None, "std": None,
              "below_threshold": [], "opinions": {}, "disagreement": False}
    criteria = [c for c in criteria if c.scored]  # a text-only criterion is commented, never in a mean
    if criteria:
        result = consolidate(
            evaluations=[
                EvaluationInput(
                    evaluator_id=e.assignment.evaluator_id,
                    scores={s.criterion.code: s.value for s in e.scores.all() if s.criterion.scored},
                    opinion=e.opinion or None,
                )
                for e in evaluations
            ],
            criteria=[CriterionSpec(c.code, c.weight, c.scale_min, c.scale_max, c.threshold) for c in criteria],
            disagreement_spread=wave_settings.disagreement_spread,
        )
        values.update(
            weighted=result.weighted_score, median=result.median, spread=result.spread, std=result.std,
            below_threshold=list(result.below_threshold), opinions=dict(result.opinions),
            disagreement=result.disagreement,
        )
    score, _ = DossierScore.objects.update_or_create(dossier=dossier, defaults=values)
    return score
