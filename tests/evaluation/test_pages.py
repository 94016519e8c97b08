"""Evaluation pages: forms, errors next to fields, read-only after submission, visibility switches, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabriques.accounts.enums import Role
from fabriques.evaluation.assignments import assignment_create, conflict_declare
from fabriques.evaluation.enums import AssignmentState, EvaluationState, PeerVisibility
from fabriques.evaluation.models import Assignment, Score, WaveEvaluationSettings
from fabriques.evaluation.scoring import evaluation_submit
from fabriques.evaluation.wave_settings import evaluator_scope_set

from .conftest import full_scores


def _grid_post(dossier, value="3.5", **extra):
    data = {f"score_{c.pk}": value for c in dossier.track.criteria.all()}
    data.update({"opinion": "favourable", "summary": "Bon projet.", "action": "submit"})
    data.update(extra)
    return data


@pytest.fixture
def active(dossier, evaluators, instructor):
    assignment = assignment_create(dossier=dossier, evaluator=evaluators[0], by=instructor)
    conflict_declare(assignment=assignment, has_conflict=False, by=evaluators[0])
    return assignment


def test_declaring_no_conflict_opens_the_grid_with_the_answers(client, dossier, evaluators, instructor):
    assignment = assignment_create(dossier=dossier, evaluator=evaluators[0], by=instructor)
    client.force_login(evaluators[0])
    response = client.post(reverse("evaluation:declare", args=[assignment.pk]), {"has_conflict": "non"})
    assert response.url == reverse("evaluation:grid", args=[assignment.pk])
    page = client.get(response.url).content.decode()
    assert "Notre réponse sur « Communauté d’utilisateurs »" in page


def test_declaring_a_conflict_without_its_kind_shows_the_error_and_changes_nothing(client, dossier, evaluators,
                                                                                  instructor):
    assignment = assignment_create(dossier=dossier, evaluator=evaluators[0], by=instructor)
    client.force_login(evaluators[0])
    response = client.post(reverse("evaluation:declare", args=[assignment.pk]),
                           {"has_conflict": "oui", "details": "Ancien salarié"})
    assert response.status_code == 200
    assert "Précisez la nature du lien." in response.content.decode()
    assert "Ancien salarié" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.AWAITING_DECLARATION


def test_a_low_score_without_comment_is_refused_next_to_the_field_and_keeps_what_was_typed(client, dossier, active,
                                                                                          evaluators):
    low = dossier.track.criteria.exclude(threshold=None).order_by("position").first()
    client.force_login(evaluators[0])
    data = _grid_post(dossier, summary="Ma synthèse détaillée")
    data[f"score_{low.pk}"] = "1"
    response = client.post(reverse("evaluation:grid", args=[active.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Un commentaire est obligatoire pour une note inférieure à 1,5." in page
    assert "Ma synthèse détaillée" in page
    assert '<option value="1" selected>' in page
    assert Score.objects.count() == 0


def test_submitting_a_complete_grid_locks_it(client, dossier, active, evaluators):
    client.force_login(evaluators[0])
    url = reverse("evaluation:grid", args=[active.pk])
    assert client.post(url, _grid_post(dossier)).status_code == 302
    active.evaluation.refresh_from_db()
    assert active.evaluation.state == EvaluationState.SUBMITTED
    page = client.get(url).content.decode()
    assert "n’est plus modifiable" in page
    assert "<select" not in page
    client.post(url, _grid_post(dossier, value="0"))
    assert set(Score.objects.values_list("value", flat=True)) == {3.5}


def test_saving_a_draft_keeps_partial_scores(client, dossier, active, evaluators):
    client.force_login(evaluators[0])
    first = dossier.track.criteria.order_by("position").first()
    url = reverse("evaluation:grid", args=[active.pk])
    response = client.post(url, {f"score_{first.pk}": "na", "summary": "À finir", "action": "draft"})
    assert response.status_code == 302
    assert list(Score.objects.values_list("criterion_id", "value")) == [(first.pk, None)]
    assert '<option value="na" selected>' in client.get(url).content.decode()


def test_hidden_identity_keeps_the_place_and_hides_the_organisation(client, dossier, active, evaluators):
    WaveEvaluationSettings.objects.create(wave=dossier.wave, hide_applicant_identity=True)
    client.force_login(evaluators[0])
    page = client.get(reverse("evaluation:grid", args=[active.pk])).content.decode()
    assert dossier.place_name in page
    assert dossier.organisation.name not in page


@pytest.mark.parametrize(("visibility", "before", "after"), [
    (PeerVisibility.NEVER, False, False),
    (PeerVisibility.AFTER_OWN, False, True),
    (PeerVisibility.ALWAYS, True, True),
])
def test_peer_evaluations_follow_the_wave_setting(client, dossier, evaluators, instructor, visibility, before, after):
    WaveEvaluationSettings.objects.create(wave=dossier.wave, peer_visibility=visibility)
    mine, peer = [assignment_create(dossier=dossier, evaluator=e, by=instructor) for e in evaluators[:2]]
    for assignment, evaluator in ((mine, evaluators[0]), (peer, evaluators[1])):
        conflict_declare(assignment=assignment, has_conflict=False, by=evaluator)
    evaluation_submit(evaluation=peer.evaluation, scores=full_scores(dossier, "2", "Trop flou"),
                             opinion="reserved", summary="Avis du pair", by=evaluators[1])
    client.force_login(evaluators[0])
    url = reverse("evaluation:grid", args=[mine.pk])
    assert ("Avis du pair" in client.get(url).content.decode()) is before
    client.post(url, _grid_post(dossier))
    assert ("Avis du pair" in client.get(url).content.decode()) is after


def test_admin_saves_the_wave_settings(client, open_wave, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("evaluation:wave_settings", args=[open_wave.pk]), {
        "evaluators_per_dossier": "2", "peer_visibility": "never", "hide_applicant_identity": "on",
        "disagreement_spread": "1,25",
    })
    assert response.status_code == 302
    stored = WaveEvaluationSettings.objects.get(wave=open_wave)
    assert (stored.evaluators_per_dossier, stored.peer_visibility, stored.hide_applicant_identity,
            str(stored.disagreement_spread)) == (2, "never", True, "1.25")


def test_instructor_runs_the_automatic_assignment_and_reads_the_summary(client, dossier, evaluators, instructor):
    client.force_login(instructor)
    response = client.post(reverse("evaluation:assign_auto", args=[dossier.wave.pk]))
    page = response.content.decode()
    assert "3 affectations créées" in page
    assert "de 1 à 1 dossiers" in page
    assert Assignment.objects.filter(dossier=dossier).count() == 3


def test_instructor_assigns_by_hand(client, dossier, evaluators, instructor):
    client.force_login(instructor)
    url = reverse("evaluation:dossier_assignments", args=[dossier.uuid])
    response = client.post(url, {"evaluator": evaluators[1].pk})
    assert response.status_code == 302
    assert list(Assignment.objects.values_list("evaluator_id", flat=True)) == [evaluators[1].pk]
    assert evaluators[1].email in client.get(url).content.decode()


def test_a_bad_region_code_is_refused_next_to_the_field(client, open_wave, evaluators, admin_user):
    client.force_login(admin_user)
    url = reverse("evaluation:scope_edit", args=[open_wave.pk, evaluators[0].pk])
    response = client.post(url, {"regions": "93, Bretagne"})
    assert "Code de région inconnu : Bretagne" in response.content.decode()
    assert not evaluators[0].evaluator_scopes.exists()


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_my_evaluations_query_count_does_not_grow_with_rows(client, make_dossier, evaluators, instructor):
    evaluator = evaluators[0]
    client.force_login(evaluator)
    url = reverse("evaluation:mine")
    first = assignment_create(dossier=make_dossier(), evaluator=evaluator, by=instructor)
    conflict_declare(assignment=first, has_conflict=False, by=evaluator)
    assignment_create(dossier=make_dossier(), evaluator=evaluator, by=instructor)
    few = _count(client, url)
    for _ in range(4):
        a = assignment_create(dossier=make_dossier(), evaluator=evaluator, by=instructor)
        conflict_declare(assignment=a, has_conflict=False, by=evaluator)
    assert _count(client, url) == few


def test_evaluators_page_query_count_does_not_grow_with_rows(client, make_user, call, open_wave, instructor):
    client.force_login(instructor)
    url = reverse("evaluation:evaluators", args=[open_wave.pk])
    make_user("e1@example.org", call=call, role=Role.EVALUATOR)
    few = _count(client, url)
    for i in range(2, 7):
        person = make_user(f"e{i}@example.org", call=call, role=Role.EVALUATOR)
        evaluator_scope_set(user=person, call=call, by=instructor, track_ids=[], region_codes=["93", "84"])
    assert _count(client, url) == few
