"""After the committee's decisions are applied, the evaluator and the instructor still read what was done."""

import pytest
from django.urls import reverse

from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.workflow import dossier_transition
from fabriques.evaluation.assignments import assignment_create, conflict_declare
from fabriques.evaluation.models import Assignment
from fabriques.evaluation.scoring import evaluation_save_draft, evaluation_submit

from .conftest import full_scores


@pytest.fixture
def decided(dossier, evaluators, instructor):
    """The dossier evaluated by one evaluator (the other one left a draft), then made laureate."""
    submitted = assignment_create(dossier=dossier, evaluator=evaluators[0], by=instructor)
    conflict_declare(assignment=submitted, has_conflict=False, by=evaluators[0])
    drafted = assignment_create(dossier=dossier, evaluator=evaluators[1], by=instructor)
    conflict_declare(assignment=drafted, has_conflict=False, by=evaluators[1])
    evaluation_save_draft(evaluation=drafted.evaluation, scores=full_scores(dossier, "2"), opinion="",
                                 summary="Brouillon.", by=evaluators[1])
    evaluation_submit(evaluation=submitted.evaluation, scores=full_scores(dossier), opinion="favourable",
                             summary="Très bon projet.", by=evaluators[0])
    dossier.refresh_from_db()
    if dossier.state == DossierState.IN_EVALUATION:
        dossier_transition(dossier, DossierState.EVALUATED, by=None)
    dossier_transition(dossier, DossierState.LAUREATE, by=None)
    return submitted, drafted


def test_the_evaluator_reads_the_submitted_grid_of_a_decided_dossier(client, dossier, decided, evaluators):
    submitted, _ = decided
    client.force_login(evaluators[0])
    mine = client.get(reverse("evaluation:mine")).content.decode()
    grid_url = reverse("evaluation:grid", args=[submitted.pk])
    assert grid_url in mine
    response = client.get(grid_url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "La décision sur ce dossier est prise (lauréat)" in page
    assert "Très bon projet." in page
    assert "<select" not in page


def test_a_draft_left_on_a_decided_dossier_is_read_only(client, dossier, decided, evaluators):
    _, drafted = decided
    client.force_login(evaluators[1])
    url = reverse("evaluation:grid", args=[drafted.pk])
    page = client.get(url).content.decode()
    assert "se consulte et ne se modifie plus" in page
    assert "Soumettre l’évaluation" not in page
    client.post(url, {"action": "submit", "opinion": "favourable", "summary": "Trop tard."})
    drafted.evaluation.refresh_from_db()
    assert drafted.evaluation.summary == "Brouillon."


def test_the_instructor_reads_the_evaluators_of_a_decided_dossier_without_changing_them(
    client, dossier, decided, evaluators, instructor
):
    client.force_login(instructor)
    url = reverse("evaluation:dossier_assignments", args=[dossier.uuid])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert evaluators[0].email in page
    assert "La décision sur ce dossier est appliquée" in page
    assert "Désigner un évaluateur" not in page
    assert client.post(url, {"evaluator": evaluators[2].pk}).status_code == 404
    assert not Assignment.objects.filter(dossier=dossier, evaluator=evaluators[2]).exists()


def test_another_evaluator_still_gets_a_404_on_a_grid_that_is_not_theirs(client, decided, evaluators):
    submitted, _ = decided
    client.force_login(evaluators[2])
    assert client.get(reverse("evaluation:grid", args=[submitted.pk])).status_code == 404
