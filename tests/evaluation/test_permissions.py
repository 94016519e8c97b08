"""Every evaluation URL against every role: no leak, no 500."""

import pytest
from django.urls import reverse

from fabriques.accounts.enums import Role
from fabriques.evaluation.assignments import assignment_create, conflict_declare
from fabriques.evaluation.enums import ConflictKind
from fabriques.evaluation.scoring import evaluation_submit
from fabriques.evaluation.wave_settings import evaluator_scope_set

ROLES = ["anonymous", "applicant_owner", "other_applicant", "evaluator_assigned", "evaluator_not_assigned",
         "evaluator_conflict", "instructor", "instructor_other_group", "admin", "committee"]
MANAGERS = {"instructor", "admin"}
# An instructor of the call whose group does not hold the dossier: the dossier's evaluation does not exist for them
# (404, as on the instruction pages); the wave's pages are theirs, scoped to their groups' dossiers.
OTHER_GROUP = "instructor_other_group"


@pytest.fixture
def world(make_dossier, make_user, call, evaluators, instructor, admin_user, committee_member, applicant):
    dossier, other = make_dossier(), make_dossier()
    assigned, not_assigned, conflicted = evaluators
    active = assignment_create(dossier=dossier, evaluator=assigned, by=instructor)
    conflict_declare(assignment=active, has_conflict=False, by=assigned)
    awaiting = assignment_create(dossier=other, evaluator=assigned, by=instructor)
    # Out of the dossiers' région: nobody can take the place the conflict below frees (it stays « à pourvoir »).
    evaluator_scope_set(user=not_assigned, call=call, track_ids=[], region_codes=["84"], by=admin_user)
    conflict = assignment_create(dossier=dossier, evaluator=conflicted, by=instructor)
    conflict_declare(assignment=conflict, has_conflict=True, kind=ConflictKind.WORKS_FOR, by=conflicted)
    from fabriques.instruction.models import InstructionGroup

    other_group = InstructionGroup.objects.create(call=call, slug="bretagne", name="Bretagne")
    other_instructor = make_user("autre-groupe@example.org", call=call, role=Role.INSTRUCTOR)
    other_group.members.add(other_instructor)
    users = {
        OTHER_GROUP: other_instructor,
        "anonymous": None, "applicant_owner": applicant, "other_applicant": make_user("autre@example.org"),
        "evaluator_assigned": assigned, "evaluator_not_assigned": not_assigned, "evaluator_conflict": conflicted,
        "instructor": instructor, "admin": admin_user, "committee": committee_member,
    }
    return {"dossier": dossier, "wave": dossier.wave, "active": active, "awaiting": awaiting, "conflict": conflict,
            "users": users}


def _client(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    return client


def _expected(role, allowed):
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 403


WAVE_PAGES = {"evaluators", "assign_auto"}  # scope_edit: programme admins (an evaluator's scope is call-wide)
MANAGER_PAGES = {
    "evaluators": lambda w: reverse("evaluation:evaluators", args=[w["wave"].pk]),
    "scope_edit": lambda w: reverse("evaluation:scope_edit", args=[w["wave"].pk, w["users"]["evaluator_assigned"].pk]),
    "assign_auto": lambda w: reverse("evaluation:assign_auto", args=[w["wave"].pk]),
    "dossier_assignments": lambda w: reverse("evaluation:dossier_assignments", args=[w["dossier"].uuid]),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(MANAGER_PAGES))
def test_manager_pages_are_for_instructors_and_admins_only(client, world, role, page):
    response = _client(client, world, role).get(MANAGER_PAGES[page](world))
    if page == "scope_edit":
        assert response.status_code == _expected(role, {"admin"})
    elif role == OTHER_GROUP:
        assert response.status_code == (200 if page in WAVE_PAGES else 404)
        assert world["users"]["evaluator_assigned"].email not in response.content.decode() or page in WAVE_PAGES
    else:
        assert response.status_code == _expected(role, MANAGERS)


@pytest.mark.parametrize("role", ROLES)
def test_wave_settings_are_for_admins_only(client, world, role):
    response = _client(client, world, role).get(reverse("evaluation:wave_settings", args=[world["wave"].pk]))
    assert response.status_code == _expected(role, {"admin"})


@pytest.mark.parametrize("role", ROLES)
def test_removing_an_assignment_is_for_managers_only(client, world, role):
    url = reverse("evaluation:assignment_remove", args=[world["active"].pk])
    response = _client(client, world, role).post(url, {"reason": "Essai"})
    world["active"].refresh_from_db()
    if role in MANAGERS:
        assert (response.status_code, world["active"].state) == (302, "removed")
    else:
        refused = 404 if role == OTHER_GROUP else _expected(role, set())
        assert (response.status_code, world["active"].state) == (refused, "active")


@pytest.mark.parametrize("role", ROLES)
def test_reopening_is_for_managers_only(client, world, role):
    from .conftest import full_scores

    evaluation = world["active"].evaluation
    evaluation_submit(evaluation=evaluation, scores=full_scores(world["dossier"]), opinion="favourable",
                             summary="", by=world["users"]["evaluator_assigned"])
    url = reverse("evaluation:evaluation_reopen", args=[evaluation.pk])
    response = _client(client, world, role).post(url, {"reason": "Erreur de saisie"})
    evaluation.refresh_from_db()
    if role in MANAGERS:
        assert (response.status_code, evaluation.state) == (302, "draft")
    else:
        refused = 404 if role == OTHER_GROUP else _expected(role, set())
        assert (response.status_code, evaluation.state) == (refused, "submitted")


@pytest.mark.parametrize("role", ROLES)
def test_the_grid_is_shown_only_to_the_evaluator_who_declared_no_conflict(client, world, role):
    response = _client(client, world, role).get(reverse("evaluation:grid", args=[world["active"].pk]))
    expected = {"anonymous": 302, "evaluator_assigned": 200}.get(role, 404)
    assert response.status_code == expected
    if expected == 404:
        assert "Notre réponse" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_the_declaration_page_is_only_for_the_evaluator_still_to_declare(client, world, role):
    response = _client(client, world, role).get(reverse("evaluation:declare", args=[world["awaiting"].pk]))
    assert response.status_code == {"anonymous": 302, "evaluator_assigned": 200}.get(role, 404)


@pytest.mark.parametrize("role", ROLES)
def test_my_evaluations_lists_only_my_assignments_in_play(client, world, role):
    response = _client(client, world, role).get(reverse("evaluation:mine"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert (world["dossier"].reference in page) == (role == "evaluator_assigned")


@pytest.mark.parametrize("role", ROLES)
def test_wave_index_lists_waves_only_to_managers(client, world, role):
    response = _client(client, world, role).get(reverse("evaluation:waves"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    link = reverse("evaluation:evaluators", args=[world["wave"].pk])
    assert response.status_code == 200
    assert (link in response.content.decode()) == (role in MANAGERS | {OTHER_GROUP})


def test_an_instructor_runs_the_automatic_assignment_on_their_groups_dossiers_only(client, world, evaluators):
    """Before: the automatic assignment of any instructor of the call assigned every group's dossiers."""
    from fabriques.evaluation.models import Assignment

    before = set(Assignment.objects.values_list("pk", flat=True))
    client.force_login(world["users"][OTHER_GROUP])

    response = client.post(reverse("evaluation:assign_auto", args=[world["wave"].pk]))

    assert response.status_code == 200
    assert set(Assignment.objects.values_list("pk", flat=True)) == before


def test_a_conflicted_evaluator_cannot_reach_the_grid_nor_declare_again(client, world):
    client.force_login(world["users"]["evaluator_conflict"])
    assert client.get(reverse("evaluation:grid", args=[world["conflict"].pk])).status_code == 404
    assert client.get(reverse("evaluation:declare", args=[world["conflict"].pk])).status_code == 404


def test_awaiting_declaration_shows_who_applies_but_no_content_and_no_grid(client, world):
    client.force_login(world["users"]["evaluator_assigned"])
    page = client.get(reverse("evaluation:declare", args=[world["awaiting"].pk])).content.decode()
    assert world["awaiting"].dossier.reference in page
    assert "Notre réponse" not in page
    assert world["awaiting"].dossier.organisation.name in page  # issue 23: a conflict is judged on who applies
    assert client.get(reverse("evaluation:grid", args=[world["awaiting"].pk])).status_code == 404


def test_an_instructor_of_another_call_is_refused(client, world, make_user):
    from fabriques.calls.models import Call

    other_call = Call.objects.create(slug="autre", title="Autre appel", short_title="Autre", programme="p",
                                     organiser="o", summary="s", source_name="x", source_sha256="0" * 64,
                                     source_text="")
    stranger = make_user("instructeur-ailleurs@example.org", call=other_call, role=Role.INSTRUCTOR)
    client.force_login(stranger)
    assert client.get(MANAGER_PAGES["evaluators"](world)).status_code == 403
    assert client.get(MANAGER_PAGES["dossier_assignments"](world)).status_code == 403
