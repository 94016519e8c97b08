"""Bulk acts from the dashboard: tick rows, one action, a confirmation page with the count, then each dossier goes
through the single act's domain function (audited, e-mailed); one refusal and nothing changes."""

import pytest

from fabriques.accounts.enums import Role
from fabriques.audit.models import AuditEntry
from fabriques.dossiers.enums import DossierState
from fabriques.evaluation.models import Assignment
from fabriques.instruction.models import Instruction, Message

pytestmark = pytest.mark.django_db

URL = "/evaluation/lot/"


@pytest.fixture
def three(make_dossier):
    return [make_dossier() for _ in range(3)]


def test_the_first_post_asks_to_confirm_with_the_count_and_changes_nothing(client, instructor, three):
    client.force_login(instructor)

    page = client.post(URL, {"action": "message", "dossiers": [d.uuid for d in three]})

    assert page.status_code == 200
    text = page.content.decode()
    assert "Écrire aux porteurs : 3 dossiers" in text
    assert "Confirmer pour 3 dossiers" in text
    assert not Message.objects.exists()


def test_bulk_message_posts_one_audited_message_per_dossier(client, instructor, three):
    client.force_login(instructor)

    response = client.post(URL, {"action": "message", "confirm": "1", "dossiers": [d.uuid for d in three],
                                 "body": "Merci de vérifier vos coordonnées."}, follow=True)

    assert "Écrire aux porteurs : fait pour 3 dossiers." in response.content.decode()
    assert Message.objects.filter(body="Merci de vérifier vos coordonnées.", internal=False).count() == 3
    assert AuditEntry.objects.filter(action="message.posted").count() == 3


def test_an_empty_message_is_refused_in_french_and_the_page_keeps_the_choice(client, instructor, three):
    client.force_login(instructor)

    response = client.post(URL, {"action": "message", "confirm": "1", "dossiers": [d.uuid for d in three],
                                 "body": "   "})

    assert response.status_code == 400
    assert "Écrivez le message." in response.content.decode()
    assert response.content.decode().count('name="dossiers"') == 3
    assert not Message.objects.exists()


def test_bulk_assign_to_an_instructor_of_the_group(client, instructor, make_user, call, three):
    from fabriques.instruction.routing import national_group

    colleague = make_user("collegue@example.org", call=call, role=Role.INSTRUCTOR)
    national_group(call=call).members.add(colleague)
    client.force_login(instructor)

    client.post(URL, {"action": "instructor", "confirm": "1", "dossiers": [d.uuid for d in three],
                      "instructor": colleague.pk})

    assert set(Instruction.objects.values_list("assigned_to", flat=True)) == {colleague.pk}
    assert AuditEntry.objects.filter(action="instruction.assigned").count() == 3


def test_bulk_evaluators_all_or_nothing_naming_the_refused_dossier(client, instructor, evaluators, three):
    three[2].state = DossierState.IN_INSTRUCTION  # cannot receive an evaluator
    three[2].save(update_fields=["state"])
    client.force_login(instructor)
    chosen = [e.pk for e in evaluators[:2]]

    refused = client.post(URL, {"action": "evaluators", "confirm": "1", "dossiers": [d.uuid for d in three],
                                "evaluators": chosen})

    assert refused.status_code == 400
    assert f"Dossier {three[2].reference} : " in refused.content.decode()
    assert "Rien n’a été fait." in refused.content.decode()
    assert not Assignment.objects.exists()
    assert refused.content.decode().count("checked") == 2  # the evaluators ticked are kept

    client.post(URL, {"action": "evaluators", "confirm": "1", "dossiers": [d.uuid for d in three[:2]],
                      "evaluators": chosen})
    assert Assignment.objects.count() == 4
    assert AuditEntry.objects.filter(action="evaluation.assign").count() == 4


def test_dossiers_the_agent_does_not_manage_are_left_out(client, make_user, call, three):
    committee = make_user("comite@example.org", call=call, role=Role.COMMITTEE)
    evaluator = make_user("evaluateur@example.org", call=call, role=Role.EVALUATOR)
    for user in (committee, evaluator):
        client.force_login(user)

        response = client.post(URL, {"action": "message", "confirm": "1", "dossiers": [d.uuid for d in three],
                                     "body": "Bonjour"})

        assert response.status_code == 302
        assert response["Location"] == "/instruction/"
    assert not Message.objects.exists()
