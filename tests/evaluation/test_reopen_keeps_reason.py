"""A refused reopening of an evaluation comes back with the reason the instructor typed and a French error
next to it (status 400); nothing changes."""

import re

import pytest
from django.urls import reverse

from fabriques.audit.models import AuditEntry
from fabriques.evaluation.assignments import assignment_create, conflict_declare
from fabriques.evaluation.enums import EvaluationState, Opinion
from fabriques.evaluation.models import Evaluation
from fabriques.evaluation.scoring import evaluation_reopen, evaluation_submit
from tests.evaluation.conftest import full_scores

pytestmark = pytest.mark.django_db

TYPED = "Le critère 3 a été noté sur l’ancienne grille : merci de le revoir."


@pytest.fixture
def submitted(dossier, evaluators, instructor):
    assignment = assignment_create(dossier=dossier, evaluator=evaluators[0], by=instructor)
    conflict_declare(assignment=assignment, has_conflict=False, by=evaluators[0])
    evaluation = Evaluation.objects.get(assignment=assignment)
    evaluation_submit(evaluation=evaluation, scores=full_scores(dossier), opinion=Opinion.FAVOURABLE,
                             summary="Projet solide.", by=evaluators[0])
    return evaluation


def _reopen(client, evaluation, reason):
    return client.post(reverse("evaluation:evaluation_reopen", args=[evaluation.pk]), {"reason": reason})


def test_a_reopening_refused_because_a_colleague_reopened_first_keeps_the_reason_typed(
    client, submitted, instructor, make_user, call
):
    evaluation_reopen(evaluation=submitted, by=instructor, reason="Premier passage")
    client.force_login(instructor)
    audit_before = AuditEntry.objects.count()

    response = _reopen(client, submitted, TYPED)

    html = response.content.decode()
    assignment_pk = submitted.assignment_id
    assert response.status_code == 400
    assert re.search(rf'<input class="fr-input fr-input--error" id="reason-{assignment_pk}"[^>]*'
                     rf'value="{TYPED}"', html)
    assert re.findall(rf'<div id="reason-{assignment_pk}-errors"><p class="fr-error-text">(.*?)</p>', html) == [
        "Cette évaluation n’est pas soumise."
    ]
    submitted.refresh_from_db()
    assert (submitted.state, submitted.reopened_count) == (EvaluationState.DRAFT, 1)
    assert AuditEntry.objects.count() == audit_before


def test_a_reason_of_spaces_only_is_refused_next_to_the_field(client, submitted, instructor):
    client.force_login(instructor)

    response = _reopen(client, submitted, "   ")

    html = response.content.decode()
    assert response.status_code == 400
    errors = f'<div id="reason-{submitted.assignment_id}-errors"><p class="fr-error-text">Ce champ est obligatoire.</p>'
    assert errors in html
    submitted.refresh_from_db()
    assert submitted.state == EvaluationState.SUBMITTED


def test_a_good_reopening_goes_back_to_the_assignments_page(client, submitted, instructor):
    client.force_login(instructor)

    response = _reopen(client, submitted, TYPED)

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.state, submitted.reopened_count) == (EvaluationState.DRAFT, 1)
    assert AuditEntry.objects.get(action="evaluation.reopen").reason == TYPED


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 302), ("evaluator", 403), ("committee", 403)])
def test_only_instructors_and_admins_reach_the_reopening_even_when_it_is_refused(
    client, submitted, evaluators, committee_member, who, expected
):
    if who != "anonymous":
        client.force_login(evaluators[0] if who == "evaluator" else committee_member)

    response = _reopen(client, submitted, "")

    assert response.status_code == expected
    assert TYPED not in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == EvaluationState.SUBMITTED
