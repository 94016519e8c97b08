"""Démarches Simplifiées' acts: « repasser en instruction » (reason, audited, decision cleared) and « classer sans
suite » (terminal, reason told to the applicant)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fabriques.audit.models import AuditEntry
from fabriques.dossiers.enums import WITHDRAWABLE_STATES, DossierState
from fabriques.dossiers.workflow import TRANSITIONS
from fabriques.instruction import acts
from fabriques.instruction.admissibility import admissibility_decide, check_confirm, instruction_start
from fabriques.instruction.complements import complements_request
from fabriques.instruction.enums import Admissibility, ComplementState
from fabriques.instruction.errors import InstructionError
from fabriques.mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db
S = DossierState


@pytest.fixture
def in_instruction(build, communes, occitanie, close_wave):
    dossier = build(communes["toulouse"])
    close_wave()
    instruction_start(dossier=dossier, by=occitanie["instructor"])
    return dossier


def _inadmissible(dossier, by):
    admissibility_decide(dossier=dossier, decision=Admissibility.INADMISSIBLE, reason="Budget déséquilibré.",
                                by=by)
    dossier.refresh_from_db()
    return dossier


def test_the_workflow_table_has_closed_as_a_terminal_state_not_withdrawable():
    assert TRANSITIONS[S.CLOSED] == frozenset()
    assert S.CLOSED in TRANSITIONS[S.IN_INSTRUCTION]
    assert S.CLOSED in TRANSITIONS[S.COMPLEMENTS_REQUESTED]
    assert S.IN_INSTRUCTION in TRANSITIONS[S.ADMISSIBLE]
    assert S.IN_INSTRUCTION in TRANSITIONS[S.INADMISSIBLE]
    assert S.CLOSED not in WITHDRAWABLE_STATES


def test_an_inadmissible_dossier_goes_back_to_instruction_with_a_reason_audited_and_told(in_instruction, occitanie):
    instructor = occitanie["instructor"]
    dossier = _inadmissible(in_instruction, instructor)

    with pytest.raises(InstructionError, match="Indiquez pourquoi"):
        acts.dossier_reinstruct(dossier=dossier, reason=" ", by=instructor)
    acts.dossier_reinstruct(dossier=dossier, reason="Le budget corrigé est arrivé par courrier.", by=instructor)

    dossier.refresh_from_db()
    assert dossier.state == S.IN_INSTRUCTION
    assert dossier.instruction.decision == ""
    withdrawn = AuditEntry.objects.get(dossier_id=dossier.pk, action="admissibility.withdrawn")
    assert withdrawn.before["decision"] == "inadmissible"
    assert withdrawn.reason == "Le budget corrigé est arrivé par courrier."
    email = OutgoingEmail.objects.filter(subject__contains="Dossier en instruction").latest("id")
    assert "repassé en instruction : Le budget corrigé est arrivé par courrier." in email.body


def test_only_an_admissible_or_inadmissible_dossier_goes_back_to_instruction(in_instruction, occitanie):
    with pytest.raises(InstructionError, match="seul un dossier déclaré recevable ou irrecevable"):
        acts.dossier_reinstruct(dossier=in_instruction, reason="x", by=occitanie["instructor"])


def test_a_dossier_whose_evaluation_started_cannot_go_back_to_instruction(
        in_instruction, occitanie, make_user, call):
    from fabriques.accounts.enums import Role
    from fabriques.evaluation.assignments import assignment_create

    instructor = occitanie["instructor"]
    for check in in_instruction.instruction.checks.exclude(status__in=["ok", "manual"]):
        check_confirm(dossier=in_instruction, item=check.item, by=instructor, reason="Vérifié",
                             override=check.status == "ko")
    admissibility_decide(dossier=in_instruction, decision=Admissibility.ADMISSIBLE, reason="", by=instructor)
    in_instruction.refresh_from_db()
    evaluator = make_user("eval@exemple.fr", call=call, role=Role.EVALUATOR)
    assignment_create(dossier=in_instruction, evaluator=evaluator, by=instructor)

    in_instruction.refresh_from_db()

    with pytest.raises(InstructionError, match="seul un dossier déclaré recevable ou irrecevable"):
        acts.dossier_reinstruct(dossier=in_instruction, reason="Erreur", by=instructor)
    assert in_instruction.assignments.count() == 1


def test_classer_sans_suite_needs_a_reason_cancels_the_open_request_and_tells_the_applicant(
        client, in_instruction, occitanie):
    request = complements_request(dossier=in_instruction, sections=[("budget", "Le budget")], message="x",
                                         due_at=timezone.now() + dt.timedelta(days=5), by=occitanie["instructor"])
    client.force_login(occitanie["instructor"])
    url = reverse("instruction:close", args=[in_instruction.uuid])

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "Indiquez le motif" in refused.content.decode()
    assert client.post(url, {"reason": "Le porteur a renoncé au projet."}).status_code == 302

    in_instruction.refresh_from_db()
    request.refresh_from_db()
    assert in_instruction.state == S.CLOSED
    assert request.state == ComplementState.CANCELLED
    email = OutgoingEmail.objects.get(subject__contains="Dossier classé sans suite")
    assert email.recipients == [in_instruction.owner.email]
    assert "Motif : Le porteur a renoncé au projet." in email.body
    page = client.get(reverse("instruction:dossier", args=[in_instruction.uuid])).content.decode()
    assert "Classé sans suite" in page
    assert "Repasser en instruction" not in page


def test_a_deposited_dossier_cannot_be_classed_and_the_reason_typed_is_kept(client, build, communes, occitanie):
    dossier = build(communes["toulouse"])
    client.force_login(occitanie["instructor"])

    response = client.post(reverse("instruction:close", args=[dossier.uuid]), {"reason": "Doublon du dossier 12"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "seul un dossier en instruction le peut" in html
    assert "Doublon du dossier 12" in html
    dossier.refresh_from_db()
    assert dossier.state == S.DEPOSITED


def test_an_instructor_of_another_group_cannot_act(client, in_instruction, occitanie):
    client.force_login(occitanie["other_instructor"])

    for name in ("instruction:close", "instruction:reinstruct"):
        assert client.post(reverse(name, args=[in_instruction.uuid]), {"reason": "x"}).status_code == 404


def test_the_applicant_reads_the_reason_of_an_inadmissibility_or_a_closing_on_the_dossier_page(client, in_instruction,
                                                                                              occitanie):
    """« Le porteur le lira »: the reason is on the dossier's page, not only in the e-mail; the latest one when the
    dossier came back to instruction and was decided again."""
    instructor, dossier = occitanie["instructor"], in_instruction
    page = reverse("dossiers:detail", args=[dossier.uuid])
    client.force_login(dossier.owner)
    assert 'id="state-reason"' not in client.get(page).content.decode()  # in instruction: nothing to explain

    _inadmissible(dossier, instructor)
    html = client.get(page).content.decode()
    assert "Motif donné par les services instructeurs :</strong> Budget déséquilibré." in html

    acts.dossier_reinstruct(dossier=dossier, reason="Le budget corrigé est arrivé.", by=instructor)
    assert 'id="state-reason"' not in client.get(page).content.decode()
    dossier.refresh_from_db()
    acts.dossier_close_without_followup(dossier=dossier, reason="Le lieu a fermé <b>définitivement</b>.\nMerci.",
                                        by=instructor)
    html = client.get(page).content.decode()
    assert "Classé sans suite" in html
    assert ("Motif donné par les services instructeurs :</strong> Le lieu a fermé &lt;b&gt;définitivement&lt;/b&gt;."
            "<br>Merci.") in html
    assert "Budget déséquilibré" not in html
