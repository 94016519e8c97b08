"""The evaluator's grid: draft, submission (validated per criterion), reopening by an instructor.

States change through `lifecycle.evaluation_transition`; each submission refreshes the dossier's figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from fabriques.calls.models import Criterion
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.workflow import dossier_transition
from fabriques.evaluation import notices
from fabriques.evaluation.dossier_scores import dossier_progress, dossier_scores_refresh
from fabriques.evaluation.enums import (
    AssignmentState,
    EvaluationState,
    Opinion,
)
from fabriques.evaluation.errors import EvaluationError
from fabriques.evaluation.lifecycle import evaluation_transition
from fabriques.evaluation.models import (
    Evaluation,
    Score,
)
from fabriques.formatting import decimal_fr


class ScoresInvalidError(EvaluationError):
    """Submitted scores with errors per field (`score_<criterion id>`, `comment_<id>`, `opinion`)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("Certaines notes sont à corriger.")
        self.errors = errors


@dataclass(frozen=True)
class ScoreInput:
    """What the evaluator gave on one criterion: a value, or an explicit abstention, and a comment."""

    value: Decimal | None = None
    abstain: bool = False
    comment: str = ""


def _text_only_error(entry: ScoreInput | None, *, complete: bool) -> str | None:
    if entry is not None and (entry.value is not None or entry.abstain):
        return "Ce critère ne se note pas : donnez seulement un commentaire."
    if complete and (entry is None or not entry.comment.strip()):
        return "Ce critère ne se note pas : un commentaire est obligatoire."
    return None


def _score_error(criterion: Criterion, entry: ScoreInput | None, *, complete: bool) -> str | None:  # noqa: PLR0911 - one message per rule
    if not criterion.scored:
        return _text_only_error(entry, complete=complete)
    if entry is None or (entry.value is None and not entry.abstain):
        return "Choisissez une note ou « Je m’abstiens »." if complete else None
    if entry.value is not None and entry.abstain:
        return "Choisissez une note ou l’abstention, pas les deux."
    if entry.value is None:
        return None
    try:
        value = Decimal(entry.value)
        steps = (value - criterion.scale_min) / criterion.scale_step
    except (InvalidOperation, TypeError):
        return "Cette note est illisible."
    if not criterion.scale_min <= value <= criterion.scale_max:
        low, high = decimal_fr(criterion.scale_min), decimal_fr(criterion.scale_max)
        return f"La note doit être comprise entre {low} et {high}."
    if steps != steps.to_integral_value():
        return f"La note doit aller par pas de {decimal_fr(criterion.scale_step)}."
    return None


def _validated_rows(evaluation: Evaluation, scores: dict[int, ScoreInput], opinion: str, *,
                    complete: bool) -> list[Score]:
    criteria = list(Criterion.objects.filter(tracks=evaluation.assignment.dossier.track_id).order_by("position"))
    errors: dict[str, str] = {}
    unknown = set(scores) - {c.pk for c in criteria}
    if unknown:
        errors["__all__"] = "Certaines notes portent sur des critères qui ne s’appliquent pas à ce dossier."
    rows = []
    for criterion in criteria:
        entry = scores.get(criterion.pk)
        message = _score_error(criterion, entry, complete=complete)
        if message:
            errors[f"{'score' if criterion.scored else 'comment'}_{criterion.pk}"] = message
            continue
        if not criterion.scored and entry is not None and entry.comment.strip():
            rows.append(Score(evaluation=evaluation, criterion=criterion, value=None, comment=entry.comment.strip()))
            continue
        if entry is None or (entry.value is None and not entry.abstain):
            continue
        value = None if entry.abstain else Decimal(entry.value)
        comment = entry.comment.strip()
        if complete and value is not None and criterion.threshold is not None and value < criterion.threshold \
                and not comment:
            errors[f"comment_{criterion.pk}"] = (
                f"Un commentaire est obligatoire pour une note inférieure à {decimal_fr(criterion.threshold)}."
            )
        rows.append(Score(evaluation=evaluation, criterion=criterion, value=value, comment=comment))
    if opinion and opinion not in Opinion.values:
        errors["opinion"] = "Choisissez un avis parmi ceux proposés."
    elif complete and not opinion:
        errors["opinion"] = "Donnez un avis global."
    if errors:
        raise ScoresInvalidError(errors)
    return rows


def _locked_draft(evaluation: Evaluation, by) -> Evaluation:
    evaluation = Evaluation.objects.select_for_update().select_related(
        "assignment__dossier__wave", "assignment__evaluator"
    ).get(pk=evaluation.pk)
    if evaluation.assignment.evaluator_id != getattr(by, "pk", None):
        raise EvaluationError("Seule la personne désignée peut noter ce dossier.")
    if evaluation.assignment.state != AssignmentState.ACTIVE:
        raise EvaluationError("Cette affectation n’est plus active : la grille ne peut plus être modifiée.")
    if evaluation.state != EvaluationState.DRAFT:
        raise EvaluationError("Cette évaluation est soumise : elle ne peut plus être modifiée.")
    return evaluation


def _store(evaluation: Evaluation, rows: list[Score], opinion: str, summary: str) -> None:
    evaluation.scores.all().delete()
    Score.objects.bulk_create(rows)
    evaluation.opinion = opinion
    evaluation.summary = summary.strip()


def evaluation_save_draft(*, evaluation: Evaluation, scores: dict[int, ScoreInput], opinion: str = "",
                          summary: str = "", by) -> Evaluation:
    """Keep what the evaluator gave so far (values checked against the scale); nothing is submitted."""
    with transaction.atomic():
        evaluation = _locked_draft(evaluation, by)
        rows = _validated_rows(evaluation, scores, opinion, complete=False)
        _store(evaluation, rows, opinion, summary)
        evaluation.save(update_fields=["opinion", "summary", "updated_at"])
    return evaluation


def evaluation_submit(*, evaluation: Evaluation, scores: dict[int, ScoreInput], opinion: str, summary: str,
                      by) -> Evaluation:
    """Submit a complete, valid grid: locked, audited, consolidation refreshed, dossier evaluated if last."""
    with transaction.atomic():
        evaluation = _locked_draft(evaluation, by)
        rows = _validated_rows(evaluation, scores, opinion, complete=True)
        _store(evaluation, rows, opinion, summary)
        evaluation.submitted_at = timezone.now()
        evaluation_transition(evaluation, EvaluationState.SUBMITTED, by=by, action="evaluation.submit",
                              after={"opinion": opinion, "scores": {r.criterion.code: r.value for r in rows}},
                              fields=["opinion", "summary", "submitted_at", "updated_at"])
        dossier = evaluation.assignment.dossier
        dossier_scores_refresh(dossier=dossier)
        dossier_progress(dossier, by)
    return evaluation


def evaluation_reopen(*, evaluation: Evaluation, by, reason: str) -> Evaluation:
    """Unlock a submitted evaluation (with a reason; the view checks the caller manages it); audited; dossier back in
    evaluation."""
    if not reason.strip():
        raise EvaluationError("Indiquez le motif de la réouverture.")
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().select_related(
            "assignment__dossier__wave", "assignment__evaluator"
        ).get(pk=evaluation.pk)
        dossier = evaluation.assignment.dossier
        if evaluation.state != EvaluationState.SUBMITTED:
            raise EvaluationError("Cette évaluation n’est pas soumise.")
        evaluation.submitted_at = None
        evaluation.reopened_count += 1
        evaluation_transition(evaluation, EvaluationState.DRAFT, by=by, action="evaluation.reopen",
                              reason=reason.strip(), fields=["submitted_at", "reopened_count", "updated_at"])
        notices.reopened_to_evaluator(evaluation=evaluation, reason=reason.strip())
        dossier_scores_refresh(dossier=dossier)
        if dossier.state == DossierState.EVALUATED:
            dossier_transition(dossier, DossierState.IN_EVALUATION, by=by, reason="Évaluation rouverte")
    return evaluation
