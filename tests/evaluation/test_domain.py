"""Evaluation rules: assignments, declarations, the scoring grid, locking, reopening, consolidation."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fabriques.audit.models import AuditEntry
from fabriques.dossiers.enums import DossierState
from fabriques.evaluation.assignments import assignment_create, assignment_remove, conflict_declare
from fabriques.evaluation.enums import AssignmentState, ConflictKind, EvaluationState, Opinion
from fabriques.evaluation.errors import EvaluationError
from fabriques.evaluation.models import Assignment, DossierScore, Evaluation, Score
from fabriques.evaluation.scoring import (
    ScoreInput,
    ScoresInvalidError,
    evaluation_reopen,
    evaluation_save_draft,
    evaluation_submit,
)
from fabriques.evaluation.wave_settings import evaluator_scope_set

from .conftest import full_scores


def _active(dossier, evaluator, instructor):
    assignment = assignment_create(dossier=dossier, evaluator=evaluator, by=instructor)
    conflict_declare(assignment=assignment, has_conflict=False, by=evaluator)
    return Evaluation.objects.get(assignment=assignment)


def _submit(evaluation, dossier, evaluator, value="3.5"):
    return evaluation_submit(evaluation=evaluation, scores=full_scores(dossier, value),
                                    opinion=Opinion.FAVOURABLE, summary="Projet solide.", by=evaluator)


def test_manual_assignment_starts_the_evaluation_and_is_audited(dossier, evaluators, instructor, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = assignment_create(dossier=dossier, evaluator=evaluators[0], by=instructor)
    dossier.refresh_from_db()
    assert assignment.state == AssignmentState.AWAITING_DECLARATION
    assert dossier.state == DossierState.IN_EVALUATION
    entry = AuditEntry.objects.get(action="evaluation.assign")
    assert (entry.dossier_id, entry.actor_id, entry.after["evaluator"]) == (dossier.pk, instructor.pk,
                                                                             "evaluateur1@example.org")
    to_evaluator = [m for m in mailoutbox if m.to == ["evaluateur1@example.org"]]
    assert len(to_evaluator) == 1
    assert dossier.reference in to_evaluator[0].body


def test_assigning_someone_who_is_not_an_evaluator_is_refused(dossier, instructor, applicant):
    with pytest.raises(EvaluationError, match="n’est pas évaluatrice"):
        assignment_create(dossier=dossier, evaluator=applicant, by=instructor)
    assert not Assignment.objects.exists()


def test_a_declared_conflict_withdraws_the_assignment_and_is_logged(dossier, evaluators, instructor):
    assignment = assignment_create(dossier=dossier, evaluator=evaluators[0], by=instructor)
    conflict_declare(assignment=assignment, has_conflict=True, kind=ConflictKind.FAMILY,
                            details="Ma sœur préside l’association.", by=evaluators[0])
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.CONFLICT
    assert not Evaluation.objects.filter(assignment=assignment).exists()
    entry = AuditEntry.objects.get(action="evaluation.declare")
    assert entry.after == {"state": "conflict", "conflict": True, "kind": "family"}
    assert entry.reason == "Ma sœur préside l’association."
    with pytest.raises(EvaluationError, match="déjà été faite"):
        conflict_declare(assignment=assignment, has_conflict=False, by=evaluators[0])


def test_a_conflict_needs_its_kind_and_only_the_evaluator_declares(dossier, evaluators, instructor):
    assignment = assignment_create(dossier=dossier, evaluator=evaluators[0], by=instructor)
    with pytest.raises(EvaluationError, match="nature du lien"):
        conflict_declare(assignment=assignment, has_conflict=True, kind="", by=evaluators[0])
    with pytest.raises(EvaluationError, match="Seule la personne désignée"):
        conflict_declare(assignment=assignment, has_conflict=False, by=evaluators[1])
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.AWAITING_DECLARATION


def test_score_off_the_scale_or_off_the_step_is_refused_and_nothing_is_stored(dossier, evaluators, instructor):
    evaluation = _active(dossier, evaluators[0], instructor)
    first, second, *_ = list(dossier.track.criteria.order_by("position"))
    scores = full_scores(dossier)
    scores[first.pk] = ScoreInput(value=Decimal("5.5"))
    scores[second.pk] = ScoreInput(value=Decimal("2.25"))
    with pytest.raises(ScoresInvalidError) as caught:
        evaluation_submit(evaluation=evaluation, scores=scores, opinion=Opinion.RESERVED, summary="",
                                 by=evaluators[0])
    assert caught.value.errors == {
        f"score_{first.pk}": "La note doit être comprise entre 0 et 5.",
        f"score_{second.pk}": "La note doit aller par pas de 0,5.",
    }
    evaluation.refresh_from_db()
    assert (evaluation.state, Score.objects.count()) == (EvaluationState.DRAFT, 0)


def test_a_score_below_the_threshold_needs_a_comment(dossier, evaluators, instructor):
    evaluation = _active(dossier, evaluators[0], instructor)
    with_threshold = dossier.track.criteria.exclude(threshold=None).order_by("position").first()
    scores = full_scores(dossier)
    scores[with_threshold.pk] = ScoreInput(value=Decimal("1"))
    with pytest.raises(ScoresInvalidError) as caught:
        evaluation_submit(evaluation=evaluation, scores=scores, opinion=Opinion.RESERVED, summary="",
                                 by=evaluators[0])
    assert caught.value.errors == {
        f"comment_{with_threshold.pk}": "Un commentaire est obligatoire pour une note inférieure à 1,5."
    }
    scores[with_threshold.pk] = ScoreInput(value=Decimal("1"), comment="Aucune communauté décrite.")
    evaluation_submit(evaluation=evaluation, scores=scores, opinion=Opinion.RESERVED, summary="",
                             by=evaluators[0])
    assert Score.objects.get(criterion=with_threshold).comment == "Aucune communauté décrite."


def test_missing_scores_and_opinion_are_named_per_field(dossier, evaluators, instructor):
    evaluation = _active(dossier, evaluators[0], instructor)
    criteria = list(dossier.track.criteria.order_by("position"))
    scores = full_scores(dossier)
    del scores[criteria[0].pk]
    with pytest.raises(ScoresInvalidError) as caught:
        evaluation_submit(evaluation=evaluation, scores=scores, opinion="", summary="", by=evaluators[0])
    assert caught.value.errors == {
        f"score_{criteria[0].pk}": "Choisissez une note ou « Je m’abstiens ».",
        "opinion": "Donnez un avis global.",
    }


def test_abstention_is_a_row_without_value_and_never_counts_as_zero(dossier, evaluators, instructor):
    evaluation = _active(dossier, evaluators[0], instructor)
    criteria = list(dossier.track.criteria.order_by("position"))
    scores = full_scores(dossier, "4")
    scores[criteria[0].pk] = ScoreInput(abstain=True)
    _ = evaluation_submit(evaluation=evaluation, scores=scores, opinion=Opinion.FAVOURABLE, summary="",
                                 by=evaluators[0])
    abstention = Score.objects.get(evaluation=evaluation, criterion=criteria[0])
    assert abstention.value is None
    assert Score.objects.filter(evaluation=evaluation).count() == len(criteria)
    assert DossierScore.objects.get(dossier=dossier).weighted == 4.0


def test_a_submitted_evaluation_is_locked(dossier, evaluators, instructor):
    evaluation = _active(dossier, evaluators[0], instructor)
    _submit(evaluation, dossier, evaluators[0])
    with pytest.raises(EvaluationError, match="ne peut plus être modifiée"):
        evaluation_save_draft(evaluation=evaluation, scores=full_scores(dossier, "1"), by=evaluators[0])
    with pytest.raises(EvaluationError, match="ne peut plus être modifiée"):
        _submit(evaluation, dossier, evaluators[0], "1")
    assert set(Score.objects.values_list("value", flat=True)) == {Decimal("3.5")}


def test_a_draft_keeps_partial_scores_and_is_not_submitted(dossier, evaluators, instructor):
    evaluation = _active(dossier, evaluators[0], instructor)
    first = dossier.track.criteria.order_by("position").first()
    evaluation_save_draft(evaluation=evaluation, scores={first.pk: ScoreInput(value=Decimal("0.5"))},
                                 opinion="", summary="À compléter", by=evaluators[0])
    evaluation.refresh_from_db()
    assert (evaluation.state, evaluation.summary) == (EvaluationState.DRAFT, "À compléter")
    assert list(Score.objects.values_list("criterion_id", "value")) == [(first.pk, Decimal("0.5"))]
    assert not DossierScore.objects.filter(dossier=dossier, n_evaluations__gt=0).exists()


def test_dossier_is_evaluated_when_every_assigned_evaluator_submitted(dossier, evaluators, instructor):
    evaluations = [_active(dossier, e, instructor) for e in evaluators]
    for evaluation, evaluator, value in zip(evaluations[:2], evaluators[:2], ["3", "4"], strict=True):
        _submit(evaluation, dossier, evaluator, value)
        dossier.refresh_from_db()
        assert dossier.state == DossierState.IN_EVALUATION
    _submit(evaluations[2], dossier, evaluators[2], "5")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.EVALUATED
    score = DossierScore.objects.get(dossier=dossier)
    assert (score.n_evaluations, score.weighted, score.median, score.spread) == (3, 4.0, 4.0, 2.0)
    assert score.opinions == {"favourable": 3, "reserved": 0, "unfavourable": 0}
    assert score.disagreement is True  # spread 2 > 1.5 (default setting)


def test_an_evaluator_still_to_declare_keeps_the_dossier_in_evaluation(dossier, evaluators, instructor):
    evaluation = _active(dossier, evaluators[0], instructor)
    assignment_create(dossier=dossier, evaluator=evaluators[1], by=instructor)
    _submit(evaluation, dossier, evaluators[0])
    dossier.refresh_from_db()
    assert dossier.state == DossierState.IN_EVALUATION


def test_a_conflict_of_the_last_evaluator_completes_the_evaluation(dossier, evaluators, instructor, call):
    # The third evaluator works elsewhere: nobody can take the freed place (the managers are told it is to fill).
    evaluator_scope_set(user=evaluators[2], call=call, track_ids=[], region_codes=["84"], by=instructor)
    evaluation = _active(dossier, evaluators[0], instructor)
    late = assignment_create(dossier=dossier, evaluator=evaluators[1], by=instructor)
    _submit(evaluation, dossier, evaluators[0])
    conflict_declare(assignment=late, has_conflict=True, kind=ConflictKind.PARTNER, by=evaluators[1])
    dossier.refresh_from_db()
    assert dossier.state == DossierState.EVALUATED


def test_reopening_is_logged_unlocks_and_puts_the_dossier_back_in_evaluation(dossier, evaluators, instructor):
    evaluation = _active(dossier, evaluators[0], instructor)
    _submit(evaluation, dossier, evaluators[0])
    dossier.refresh_from_db()
    assert dossier.state == DossierState.EVALUATED
    evaluation_reopen(evaluation=evaluation, by=instructor, reason="Note du critère 3 à revoir")
    evaluation.refresh_from_db()
    dossier.refresh_from_db()
    assert (evaluation.state, evaluation.reopened_count) == (EvaluationState.DRAFT, 1)
    assert dossier.state == DossierState.IN_EVALUATION
    entry = AuditEntry.objects.get(action="evaluation.reopen")
    assert (entry.actor_id, entry.reason, entry.before, entry.after) == (
        instructor.pk, "Note du critère 3 à revoir", {"state": "submitted"}, {"state": "draft"})
    assert DossierScore.objects.get(dossier=dossier).n_evaluations == 0


def test_only_instructors_and_admins_reopen_and_a_reason_is_required(dossier, evaluators, instructor, client):
    evaluation = _active(dossier, evaluators[0], instructor)
    _submit(evaluation, dossier, evaluators[0])
    client.force_login(evaluators[0])  # the view authorises (evaluation.assign, and the dossier's group)
    url = reverse("evaluation:evaluation_reopen", args=[evaluation.pk])
    assert client.post(url, {"reason": "Je me suis trompé"}).status_code == 403
    with pytest.raises(EvaluationError, match="motif"):
        evaluation_reopen(evaluation=evaluation, by=instructor, reason="  ")
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.SUBMITTED


def test_removing_an_assignment_drops_its_scores_from_the_consolidation(dossier, evaluators, instructor):
    first = _active(dossier, evaluators[0], instructor)
    second = _active(dossier, evaluators[1], instructor)
    _submit(first, dossier, evaluators[0], "2")
    _submit(second, dossier, evaluators[1], "4")
    assert DossierScore.objects.get(dossier=dossier).weighted == 3.0
    assignment_remove(assignment=second.assignment, by=instructor, reason="Doublon")
    assert DossierScore.objects.get(dossier=dossier).weighted == 2.0
    assert AuditEntry.objects.filter(action="evaluation.unassign", reason="Doublon").count() == 1


def test_a_reopened_evaluation_submitted_again_makes_the_dossier_evaluated_again(dossier, evaluators, instructor):
    evaluation = _active(dossier, evaluators[0], instructor)
    _submit(evaluation, dossier, evaluators[0], "2")
    evaluation_reopen(evaluation=evaluation, by=instructor, reason="Relire le critère 1")
    _submit(evaluation, dossier, evaluators[0], "4.5")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.EVALUATED
    assert DossierScore.objects.get(dossier=dossier).weighted == 4.5


def test_peer_visibility_rules_per_role(dossier, evaluators, instructor, committee_member, applicant):
    from fabriques.evaluation import rules
    from fabriques.evaluation.models import WaveEvaluationSettings

    WaveEvaluationSettings.objects.create(wave=dossier.wave, peer_visibility="always")
    _active(dossier, evaluators[0], instructor)
    conflicted = assignment_create(dossier=dossier, evaluator=evaluators[1], by=instructor)
    conflict_declare(assignment=conflicted, has_conflict=True, kind=ConflictKind.OTHER, by=evaluators[1])
    seen = {u.email: rules.can_see_peer_evaluations(u, dossier)
            for u in [evaluators[0], evaluators[1], evaluators[2], instructor, committee_member, applicant]}
    assert seen == {
        "evaluateur1@example.org": True, "evaluateur2@example.org": False, "evaluateur3@example.org": False,
        "instructrice@example.org": True, "comite@example.org": True, "porteur@example.org": False,
    }
    assert [rules.can_evaluate(u, dossier) for u in evaluators] == [True, False, False]
    assert list(rules.dossiers_for_evaluator(evaluators[0])) == [dossier]
