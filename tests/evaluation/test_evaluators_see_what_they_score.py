"""Issue 23, evaluators who see what they score: the deposited version on the grid (answers, budget lines, files,
eligibility), the organisation on the declaration page, conflicts carried across an organisation's dossiers, the
evaluator count enforced, a freed place refilled or flagged, the reopen reason sent and shown, no e-mail to the
applicant about internal steps, and « Mes évaluations » with what is still to do first."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from fabriques.accounts.enums import Role
from fabriques.dossiers.domain import cowriter_invite
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Answer
from fabriques.dossiers.workflow import INTERNAL_STATES, NOTIFICATIONS, dossier_transition
from fabriques.evaluation.assignments import EvaluatorCountError, assignment_create, assignments_auto, conflict_declare
from fabriques.evaluation.dossier_scores import IN_PLAY
from fabriques.evaluation.enums import AssignmentMethod, AssignmentState, ConflictKind, Opinion
from fabriques.evaluation.models import Assignment, Evaluation, WaveEvaluationSettings
from fabriques.evaluation.scoring import evaluation_reopen, evaluation_submit
from fabriques.formatting import euros
from fabriques.mail.models import OutgoingEmail
from tests.dossiers.conftest import (  # noqa: F401 - a dossier deposited through the real deposit
    applicant,
    commune,
    complete_dossier,
    deposited_dossier,
    dossier,
    media_root,
    organisation,
    track,
)
from tests.evaluation.conftest import full_scores

pytestmark = pytest.mark.django_db


def _admissible(dossier):  # noqa: F811 - not the fixture
    for to in (DossierState.IN_INSTRUCTION, DossierState.ADMISSIBLE):
        dossier_transition(dossier, to, by=None)
    return dossier


def _active(dossier, evaluator, by):  # noqa: F811 - not the fixture
    assignment = assignment_create(dossier=dossier, evaluator=evaluator, by=by)
    conflict_declare(assignment=assignment, has_conflict=False, by=evaluator)
    assignment.refresh_from_db()
    return assignment


def _mails_to(address):
    return [m for m in OutgoingEmail.objects.order_by("pk") if address in m.recipients]


# --- What the evaluator reads ---------------------------------------------------------------------------------------


def test_the_grid_shows_the_deposited_answers_budget_lines_and_eligibility_not_the_live_text(
    client, deposited_dossier, evaluators, instructor  # noqa: F811
):
    applied = _admissible(deposited_dossier)
    deposited_text = Answer.objects.filter(dossier=applied).order_by("criterion__position").first().text
    Answer.objects.filter(dossier=applied).update(text="Texte changé après le dépôt, jamais déposé.")
    active = _active(applied, evaluators[0], instructor)
    client.force_login(evaluators[0])

    page = client.get(reverse("evaluation:grid", args=[active.pk])).content.decode()

    assert escape(deposited_text.split("\n")[0]) in page
    assert "jamais déposé" not in page
    assert "Vous lisez la version déposée n° 1" in page
    assert "Lignes du budget déposé" in page
    for line in applied.budget_lines.all():  # every deposited line, its amount the French way
        assert f"<td>{escape(line.label)}" in page or f"<td>{escape(line.cofunder)}" in page
        assert euros(line.amount_eur) in page
    assert "Montant demandé" in page
    assert "Éligibilité :" in page
    assert "fab-eligibility" in page  # the one eligibility truth's badge, as on every agent page


def test_the_declaration_page_names_the_organisation_its_siren_commune_and_people(
    client, deposited_dossier, evaluators, instructor, make_user  # noqa: F811
):
    applied = _admissible(deposited_dossier)
    cowriter_invite(dossier=applied, email="coredactrice@example.org", by=applied.owner)
    awaiting = assignment_create(dossier=applied, evaluator=evaluators[0], by=instructor)
    client.force_login(evaluators[0])

    page = client.get(reverse("evaluation:declare", args=[awaiting.pk])).content.decode()

    siret = applied.organisation.siret
    assert applied.organisation.name in page
    assert f"{siret[:3]} {siret[3:6]} {siret[6:9]}" in page
    assert applied.organisation.commune.label in page
    assert f"{applied.owner.email} — auteur du dossier" in page
    assert "coredactrice@example.org — co-rédacteur invité" in page
    assert "Notre réponse" not in page  # still nothing of the content before the declaration


def test_hidden_identities_stay_hidden_on_the_declaration_page(client, dossier, evaluators, instructor):  # noqa: F811
    WaveEvaluationSettings.objects.update_or_create(wave=dossier.wave, defaults={"hide_applicant_identity": True})
    dossier = _admissible_from_fixture(dossier)
    awaiting = assignment_create(dossier=dossier, evaluator=evaluators[0], by=instructor)
    client.force_login(evaluators[0])

    page = client.get(reverse("evaluation:declare", args=[awaiting.pk])).content.decode()

    assert dossier.organisation.name not in page
    assert "L’identité du porteur est masquée" in page


def _admissible_from_fixture(dossier):  # noqa: F811
    for to in (DossierState.DEPOSITED, DossierState.IN_INSTRUCTION, DossierState.ADMISSIBLE):
        dossier_transition(dossier, to, by=None)
    return dossier


# --- Conflicts across an organisation, the evaluator count ----------------------------------------------------------


@pytest.fixture
def same_organisation(make_dossier):
    """Two dossiers deposited by two rows of the same legal person (same SIRET), and one of another organisation."""
    first, other = make_dossier(), make_dossier()
    second = make_dossier()
    second.organisation.siret = first.organisation.siret
    second.organisation.save(update_fields=["siret"])
    other.organisation.siret = "55208131766522" if first.organisation.siret != "55208131766522" else "44306184100047"
    other.organisation.save(update_fields=["siret"])
    return first, second, other


def test_a_conflict_on_one_dossier_keeps_the_evaluator_off_the_organisations_other_dossiers(
    same_organisation, make_user, call, open_wave, instructor
):
    first, second, other = same_organisation
    people = [make_user(f"eval{i}@example.org", call=call, role=Role.EVALUATOR) for i in range(4)]
    conflicted = people[0]
    assignment = assignment_create(dossier=first, evaluator=conflicted, by=instructor)
    conflict_declare(assignment=assignment, has_conflict=True, kind=ConflictKind.WORKS_FOR, by=conflicted)

    assignments_auto(wave=open_wave, by=instructor, per_dossier=3)

    given = set(Assignment.objects.filter(evaluator=conflicted, state__in=IN_PLAY)
                .values_list("dossier_id", flat=True))
    assert second.pk not in given
    assert given == {other.pk}  # the organisation's other dossier is never given; a third one may be
    assert Assignment.objects.filter(dossier=second, state__in=IN_PLAY).count() == 3


def test_the_manual_assignment_page_warns_about_a_conflict_with_the_organisation(
    client, same_organisation, evaluators, instructor
):
    first, second, _ = same_organisation
    conflicted = evaluators[0]
    assignment = assignment_create(dossier=first, evaluator=conflicted, by=instructor)
    conflict_declare(assignment=assignment, has_conflict=True, kind=ConflictKind.FAMILY, by=conflicted)
    client.force_login(instructor)
    url = reverse("evaluation:dossier_assignments", args=[second.uuid])

    page = client.get(url).content.decode()
    assert "Conflit d’intérêts déclaré avec cette organisation" in page
    assert (f"{conflicted.email} a déclaré un conflit d’intérêts sur le dossier {first.reference}, de la même "
            f"organisation") in page
    assert "ne la désignez pas" in page

    client.post(url, {"evaluator": conflicted.pk})  # the instructor goes ahead anyway: allowed, still flagged
    page = client.get(url).content.decode()
    assert "cette personne est désignée sur ce dossier, retirez-la" in page


def test_a_fourth_evaluator_is_refused_when_the_wave_says_three(client, dossier, evaluators, instructor, make_user,  # noqa: F811
                                                                  call):
    dossier = _admissible_from_fixture(dossier)
    for person in evaluators:
        assignment_create(dossier=dossier, evaluator=person, by=instructor)
    fourth = make_user("quatrieme@example.org", call=call, role=Role.EVALUATOR)

    with pytest.raises(EvaluatorCountError, match="déjà 3 évaluateur"):
        assignment_create(dossier=dossier, evaluator=fourth, by=instructor)

    client.force_login(instructor)
    url = reverse("evaluation:dossier_assignments", args=[dossier.uuid])
    response = client.post(url, {"evaluator": fourth.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ce dossier a déjà 3 évaluateur(s) : la vague en prévoit 3 par dossier." in html
    assert f'<option value="{fourth.pk}" selected>' in html  # what was chosen is kept
    assert not Assignment.objects.filter(dossier=dossier, evaluator=fourth).exists()


# --- A declared conflict: the place refilled or flagged -------------------------------------------------------------


def test_a_declared_conflict_refills_the_place_and_tells_the_instructors(dossier, evaluators, instructor, make_user,  # noqa: F811
                                                                          call):
    dossier = _admissible_from_fixture(dossier)
    for person in evaluators:
        assignment_create(dossier=dossier, evaluator=person, by=instructor)
    spare = make_user("remplacante@example.org", call=call, role=Role.EVALUATOR)
    OutgoingEmail.objects.all().delete()
    leaving = Assignment.objects.get(dossier=dossier, evaluator=evaluators[1])

    conflict_declare(assignment=leaving, has_conflict=True, kind=ConflictKind.PARTNER, by=evaluators[1])

    replacement = Assignment.objects.get(dossier=dossier, evaluator=spare)
    assert (replacement.state, replacement.method) == (AssignmentState.AWAITING_DECLARATION, AssignmentMethod.AUTO)
    assert Assignment.objects.filter(dossier=dossier, state__in=IN_PLAY).count() == 3
    [to_instructors] = _mails_to(instructor.email)
    assert to_instructors.subject == f"[Fabriques] Conflit d’intérêts déclaré — {dossier.reference}"
    assert "remplacante@example.org" in to_instructors.body
    assert len(_mails_to(spare.email)) == 1  # the replacement is told, as any assigned evaluator
    assert _mails_to(dossier.owner.email) == []


def test_a_place_nobody_can_take_is_flagged_to_the_instructors_and_on_the_page(client, dossier, evaluators,  # noqa: F811
                                                                                 instructor):
    dossier = _admissible_from_fixture(dossier)
    for person in evaluators:
        assignment_create(dossier=dossier, evaluator=person, by=instructor)
    OutgoingEmail.objects.all().delete()
    leaving = Assignment.objects.get(dossier=dossier, evaluator=evaluators[0])

    conflict_declare(assignment=leaving, has_conflict=True, kind=ConflictKind.OTHER, by=evaluators[0])

    [alert] = _mails_to(instructor.email)
    assert alert.subject == f"[Fabriques] Place à pourvoir — {dossier.reference}"
    assert "il manque 1 évaluateur(s) sur les 3 prévus" in alert.body
    assert reverse("evaluation:dossier_assignments", args=[dossier.uuid]) in alert.body
    client.force_login(instructor)
    page = client.get(reverse("evaluation:dossier_assignments", args=[dossier.uuid])).content.decode()
    assert "1 place à pourvoir" in page
    wave_page = client.get(reverse("evaluation:evaluators", args=[dossier.wave_id])).content.decode()
    assert "Places à pourvoir" in wave_page
    assert f"{dossier.reference}</a> : 1 place à pourvoir" in wave_page


# --- Reopening: the evaluator told why; the applicant told nothing internal ----------------------------------------


def test_the_reopen_reason_reaches_the_evaluator_by_email_and_on_the_grid(client, dossier, evaluators, instructor):  # noqa: F811
    dossier = _admissible_from_fixture(dossier)
    active = _active(dossier, evaluators[0], instructor)
    evaluation = Evaluation.objects.get(assignment=active)
    evaluation_submit(evaluation=evaluation, scores=full_scores(dossier), opinion=Opinion.FAVOURABLE,
                             summary="Bien.", by=evaluators[0])
    OutgoingEmail.objects.all().delete()

    evaluation_reopen(evaluation=evaluation, by=instructor, reason="Le critère 2 mérite une note argumentée.")

    [mail] = _mails_to(evaluators[0].email)
    assert mail.subject == f"[Fabriques] Évaluation rouverte — {dossier.reference}"
    assert "Motif : Le critère 2 mérite une note argumentée." in mail.body
    assert reverse("evaluation:grid", args=[active.pk]) in mail.body
    client.force_login(evaluators[0])
    page = client.get(reverse("evaluation:grid", args=[active.pk])).content.decode()
    assert "Évaluation rouverte" in page
    assert "Motif : Le critère 2 mérite une note argumentée." in page


def test_the_applicant_gets_no_email_about_assignments_conflicts_or_reopenings(dossier, evaluators, instructor):  # noqa: F811
    assert not INTERNAL_STATES & set(NOTIFICATIONS)
    dossier = _admissible_from_fixture(dossier)
    OutgoingEmail.objects.all().delete()
    first = _active(dossier, evaluators[0], instructor)
    second = assignment_create(dossier=dossier, evaluator=evaluators[1], by=instructor)
    conflict_declare(assignment=second, has_conflict=True, kind=ConflictKind.FAMILY, by=evaluators[1])
    replacement = Assignment.objects.get(dossier=dossier, evaluator=evaluators[2])
    conflict_declare(assignment=replacement, has_conflict=False, by=evaluators[2])
    for assignment in (first, replacement):
        evaluation = Evaluation.objects.get(assignment=assignment)
        evaluation_submit(evaluation=evaluation, scores=full_scores(dossier), opinion=Opinion.RESERVED,
                                 summary="", by=assignment.evaluator)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.EVALUATED
    evaluation_reopen(evaluation=Evaluation.objects.get(assignment=first), by=instructor, reason="À revoir")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.IN_EVALUATION
    assert _mails_to(dossier.owner.email) == []
    assert _mails_to(evaluators[0].email)  # the agents are told


# --- « Mes évaluations »: what is to do first ----------------------------------------------------------------------


def test_my_evaluations_list_what_is_to_do_first_then_the_finished_ones(client, make_dossier, evaluators, instructor):
    done_dossiers = [make_dossier() for _ in range(3)]
    for d in done_dossiers:
        assignment = _active(d, evaluators[0], instructor)
        evaluation_submit(evaluation=assignment.evaluation, scores=full_scores(d), opinion=Opinion.FAVOURABLE,
                                 summary="", by=evaluators[0])
    to_write = make_dossier()
    _active(to_write, evaluators[0], instructor)
    to_declare = make_dossier()
    assignment_create(dossier=to_declare, evaluator=evaluators[0], by=instructor)
    client.force_login(evaluators[0])

    page = client.get(reverse("evaluation:mine")).content.decode()

    todo, done = page.split('id="terminees"')
    assert "À faire (2)" in todo
    assert "Terminées (3)" in page
    assert todo.index(to_declare.reference) < todo.index(to_write.reference)
    assert all(d.reference not in todo and d.reference in done for d in done_dossiers)


def test_my_evaluations_page_keeps_its_number_of_queries(client, make_dossier, evaluators, instructor,
                                                         django_assert_max_num_queries):
    def grow(n):
        for _ in range(n):
            _active(make_dossier(), evaluators[0], instructor)
            assignment_create(dossier=make_dossier(), evaluator=evaluators[0], by=instructor)

    client.force_login(evaluators[0])
    grow(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("evaluation:mine"))
    grow(4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("evaluation:mine"))


def test_after_saving_the_grid_the_saved_message_takes_the_focus(client, dossier, evaluators, instructor):  # noqa: F811
    dossier = _admissible_from_fixture(dossier)
    active = _active(dossier, evaluators[0], instructor)
    client.force_login(evaluators[0])
    url = reverse("evaluation:grid", args=[active.pk])

    page = client.post(url, {"action": "draft"}, follow=True).content.decode()

    assert re.search(r'<div class="fr-alert fr-alert--success[^"]*" role="status" tabindex="-1" autofocus>\s*'
                     r'<p>Brouillon enregistré.</p>', page)
    assert 'href="#grille">Aller au contenu</a>' in page
    assert 'id="grille" tabindex="-1"' in page
