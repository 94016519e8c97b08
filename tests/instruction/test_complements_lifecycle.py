"""Requests for complements after they are sent: default deadline, e-mails, reminder, expiry, cancel, extend,
arrival (notification, « compléments reçus »), and the differences between the versions."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fabriques.audit.models import AuditEntry
from fabriques.dossiers.enums import DossierState
from fabriques.instruction import complements
from fabriques.instruction.admissibility import instruction_start
from fabriques.instruction.complements import complements_answer, complements_request
from fabriques.instruction.enums import ComplementState
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.models import ComplementRequest
from fabriques.instruction.version_diff import text_diff, version_diff
from fabriques.mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db
S = DossierState


@pytest.fixture
def in_instruction(build, communes, occitanie, close_wave):
    dossier = build(communes["toulouse"])
    close_wave()
    instruction_start(dossier=dossier, by=occitanie["instructor"])
    return dossier


def _ask(dossier, by, *, days=10, sections=(("budget", "Le budget"),)):
    request = complements_request(dossier=dossier, sections=list(sections), message="Merci de revoir le budget.",
                                         due_at=timezone.now() + dt.timedelta(days=days), by=by)
    dossier.refresh_from_db()
    return request


def _emails(subject_part):
    return list(OutgoingEmail.objects.filter(subject__contains=subject_part).order_by("id"))


def test_the_deadline_is_prefilled_as_an_iso_date_the_date_input_accepts_and_stated(client, in_instruction, occitanie):
    client.force_login(occitanie["instructor"])

    html = client.get(reverse("instruction:dossier", args=[in_instruction.uuid])).content.decode()

    default = timezone.localdate() + dt.timedelta(days=15)  # the 2019 call's definition
    assert f'value="{default.isoformat()}"' in html
    assert f"Par défaut 15 jours, soit le {default:%d/%m/%Y}" in html
    assert "un rappel lui est envoyé 3 jours avant" in html


def test_a_request_posted_with_the_prefilled_date_is_sent(client, in_instruction, occitanie):
    client.force_login(occitanie["instructor"])
    default = timezone.localdate() + dt.timedelta(days=15)

    response = client.post(reverse("instruction:complements", args=[in_instruction.uuid]), {
        "sections": ["budget"], "message": "Budget à revoir.", "due_date": default.isoformat()})

    assert response.status_code == 302
    request = ComplementRequest.objects.get(dossier=in_instruction)
    assert timezone.localtime(request.due_at).date() == default
    assert request.base_version == 1


def test_the_delay_and_the_reminder_are_the_calls_own(client, in_instruction, occitanie):
    """The call's definition sets them (`[complements]`): here 21 days and a reminder 5 days before, as the Bretagne
    call's; the instructor's form proposes 21 days and the reminder leaves 5 days ahead, not 3."""
    call = in_instruction.wave.call
    call.complement_default_days, call.complement_reminder_days = 21, 5
    call.save(update_fields=["complement_default_days", "complement_reminder_days"])
    client.force_login(occitanie["instructor"])

    html = client.get(reverse("instruction:dossier", args=[in_instruction.uuid])).content.decode()
    default = timezone.localdate() + dt.timedelta(days=21)
    assert f'value="{default.isoformat()}"' in html
    assert f"Par défaut 21 jours, soit le {default:%d/%m/%Y}" in html
    assert "un rappel lui est envoyé 5 jours avant" in html

    request = _ask(in_instruction, occitanie["instructor"], days=10)
    assert complements.complements_remind(now=request.due_at - dt.timedelta(days=6)) == 0
    assert complements.complements_remind(now=request.due_at - dt.timedelta(days=4, hours=23)) == 1


def test_the_request_email_carries_the_sections_and_the_deadline(in_instruction, occitanie):
    request = _ask(in_instruction, occitanie["instructor"],
                   sections=[("budget", "Le budget"), ("place", "Le lieu")])

    [email] = _emails("Compléments demandés")
    assert email.recipients == [in_instruction.owner.email]
    assert "Éléments à compléter :\n- Le budget\n- Le lieu" in email.body
    assert f"Réponse attendue au plus tard le {complements.deadline_label(request.due_at)}." in email.body
    assert f"/instruction/dossiers/{in_instruction.uuid}/echanges/" in email.body


def test_arrival_tells_the_instructors_lists_the_dossier_as_received_until_the_differences_are_read(
        client, in_instruction, occitanie):
    request = _ask(in_instruction, occitanie["instructor"])
    complements_answer(dossier=in_instruction, answer="Budget revu.", by=in_instruction.owner)

    request.refresh_from_db()
    assert (request.state, request.answer_version) == (ComplementState.ANSWERED, 2)
    [email] = _emails("Compléments reçus")
    assert email.recipients == [occitanie["instructor"].email]
    assert "Sa réponse : Budget revu." in email.body
    client.force_login(occitanie["instructor"])
    dashboard = reverse("instruction:dashboard")
    listed = client.get(dashboard, {"complements": "received"}).content.decode()
    assert in_instruction.reference in listed
    assert "compléments reçus" in client.get(dashboard).content.decode()

    diff = client.get(reverse("instruction:complement-diff", args=[in_instruction.uuid, request.pk]))

    assert diff.status_code == 200
    assert "Version déposée n° 1 comparée à la version complétée n° 2" in diff.content.decode()
    request.refresh_from_db()
    assert request.seen_at is not None
    assert in_instruction.reference not in client.get(dashboard, {"complements": "received"}).content.decode()


def test_a_committee_member_reads_the_differences_without_marking_them_read(
        client, in_instruction, occitanie, make_user, call):
    from fabriques.accounts.enums import Role

    request = _ask(in_instruction, occitanie["instructor"])
    complements_answer(dossier=in_instruction, answer="", by=in_instruction.owner)
    client.force_login(make_user("comite@exemple.fr", call=call, role=Role.COMMITTEE))

    assert client.get(reverse("instruction:complement-diff", args=[in_instruction.uuid, request.pk])).status_code == 200
    request.refresh_from_db()
    assert request.seen_at is None


def test_the_reminder_is_sent_once_a_few_days_before_the_deadline(in_instruction, occitanie):
    request = _ask(in_instruction, occitanie["instructor"], days=10)
    now = timezone.now()

    assert complements.complements_remind(now=now) == 0  # ten days ahead: too early
    later = request.due_at - dt.timedelta(days=2)
    assert complements.complements_remind(now=later) == 1
    assert complements.complements_remind(now=later + dt.timedelta(hours=1)) == 0

    [email] = _emails("Rappel : compléments attendus")
    assert email.recipients == [in_instruction.owner.email]
    assert "Le budget" in email.body
    assert complements.deadline_label(request.due_at) in email.body


def test_past_the_deadline_the_request_expires_the_instructors_are_told_and_the_applicant_cannot_answer(
        client, in_instruction, occitanie):
    request = _ask(in_instruction, occitanie["instructor"], days=3)
    ComplementRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(in_instruction.owner)
    exchanges = reverse("instruction:exchanges", args=[in_instruction.uuid])

    late = client.post(exchanges, {"complements_done": "1", "answer": "Trop tard ?"})  # before the worker passes
    assert late.status_code == 400
    assert "la demande de compléments a expiré" in late.content.decode()
    assert "Trop tard ?" in late.content.decode()

    call_command("complements_remind")

    request.refresh_from_db()
    in_instruction.refresh_from_db()
    assert request.state == ComplementState.EXPIRED
    assert in_instruction.state == S.IN_INSTRUCTION
    [email] = _emails("Demande de compléments expirée")
    assert email.recipients == [occitanie["instructor"].email]
    page = client.get(exchanges).content.decode()
    assert "expirée" in page
    assert "vous ne pouvez plus y répondre" in page
    assert "J’ai apporté les compléments" not in page
    assert AuditEntry.objects.filter(dossier_id=in_instruction.pk, action="complements.expired").count() == 1


def test_cancel_needs_a_reason_keeps_nothing_changed_then_resumes_instruction_and_tells_the_applicant(
        client, in_instruction, occitanie):
    request = _ask(in_instruction, occitanie["instructor"])
    client.force_login(occitanie["instructor"])
    url = reverse("instruction:complement-cancel", args=[in_instruction.uuid, request.pk])

    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assert "Indiquez le motif" in refused.content.decode()
    request.refresh_from_db()
    assert request.state == ComplementState.OPEN

    assert client.post(url, {"reason": "Pièce reçue par courrier."}).status_code == 302

    request.refresh_from_db()
    in_instruction.refresh_from_db()
    assert (request.state, request.closed_reason) == (ComplementState.CANCELLED, "Pièce reçue par courrier.")
    assert in_instruction.state == S.IN_INSTRUCTION
    [email] = _emails("Dossier en instruction")[-1:]
    assert "demande de compléments annulée : Pièce reçue par courrier." in email.body


def test_extend_refuses_an_earlier_date_keeping_the_reason_then_moves_the_deadline_and_tells_the_applicant(
        client, in_instruction, occitanie):
    request = _ask(in_instruction, occitanie["instructor"], days=10)
    request.reminded_at = timezone.now()
    request.save(update_fields=["reminded_at"])
    client.force_login(occitanie["instructor"])
    url = reverse("instruction:complement-extend", args=[in_instruction.uuid, request.pk])
    earlier = (timezone.localdate() + dt.timedelta(days=2)).isoformat()

    refused = client.post(url, {"due_date": earlier, "reason": "Congés de la structure"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "La nouvelle date doit être postérieure" in html
    assert "Congés de la structure" in html
    assert earlier in html
    bad = client.post(url, {"due_date": "31/02/2027", "reason": "x"})
    assert bad.status_code == 400
    assert "Date invalide" in bad.content.decode()

    later = timezone.localdate() + dt.timedelta(days=30)
    assert client.post(url, {"due_date": later.isoformat(), "reason": "Congés de la structure"}).status_code == 302

    request.refresh_from_db()
    assert timezone.localtime(request.due_at).date() == later
    assert request.reminded_at is None  # a new reminder before the new deadline
    [email] = _emails("Délai de réponse prolongé")
    assert f"au plus tard le {later:%d/%m/%Y} à 23 h 59" in email.body
    assert "Motif : Congés de la structure" in email.body


def test_a_request_no_longer_open_cannot_be_cancelled_or_extended(in_instruction, occitanie):
    request = _ask(in_instruction, occitanie["instructor"])
    complements_answer(dossier=in_instruction, answer="", by=in_instruction.owner)

    with pytest.raises(InstructionError, match="compléments reçus"):
        complements.complement_cancel(request=request, reason="x", by=occitanie["instructor"])
    with pytest.raises(InstructionError, match="ne peut plus être modifiée"):
        complements.complement_extend(request=request, due_at=timezone.now() + dt.timedelta(days=40), reason="x",
                                      by=occitanie["instructor"])


def test_the_differences_mark_added_and_removed_words_and_budget_lines():
    diff = text_diff("Projet", "Un lieu ouvert le samedi.", "Un lieu ouvert le samedi et le dimanche.")

    assert diff.changed
    assert [(s.kind, s.text) for s in diff.segments] == [
        ("same", "Un lieu ouvert le samedi"), ("added", " et le dimanche"), ("same", ".")]
    assert (diff.added_words, diff.removed_words) == (3, 0)

    before = {"answers": [{"code": "a", "title": "A", "text": "x"}], "place": {"name": "Lieu"},
              "budget": {"amount_requested_eur": 1000, "lines": [
                  {"year": 1, "kind": "charge", "category": "personnel", "label": "Salaire", "amount_eur": 500,
                   "cofunder": ""}]}, "attachments": []}
    after = {"answers": [{"code": "a", "title": "A", "text": "x"}], "place": {"name": "Lieu"},
             "budget": {"amount_requested_eur": 1200, "lines": [
                 {"year": 1, "kind": "charge", "category": "personnel", "label": "Salaire", "amount_eur": 700,
                  "cofunder": ""},
                 {"year": 1, "kind": "resource", "category": "etat", "label": "", "amount_eur": 700, "cofunder": ""}]},
             "attachments": []}
    result = version_diff(before, after, before_number=1, after_number=2)
    assert [(r.label, r.change) for r in result.budget] == [
        ("Année 1 — Charge — Salaire", "modifiée"), ("Année 1 — Ressource — etat", "ajoutée")]
    assert result.amount.before == "1\u202f000\u00a0€"
    assert result.amount.after == "1\u202f200\u00a0€"


def test_the_differences_page_shows_a_changed_answer_with_ins_and_del_and_words(client, in_instruction, occitanie):
    from fabriques.dossiers import domain as dossier_domain

    criterion = in_instruction.track.criteria.order_by("position").first()
    request = _ask(in_instruction, occitanie["instructor"], sections=[(f"criterion:{criterion.code}", criterion.title)])
    answer = in_instruction.answers.get(criterion=criterion)
    dossier_domain.answer_save(dossier=in_instruction, criterion=criterion, by=in_instruction.owner,
                               text=answer.text + " Ouvert aussi le dimanche.", base_version=answer.version)
    complements_answer(dossier=in_instruction, answer="Horaires précisés.", by=in_instruction.owner)
    client.force_login(occitanie["instructor"])

    html = client.get(reverse("instruction:complement-diff", args=[in_instruction.uuid, request.pk])).content.decode()

    assert "<ins><span class=\"fab-diff__label\">[ajouté : </span> Ouvert aussi le dimanche" in html
    assert "mots ajoutés" in html
    assert "le texte ajouté est souligné et précédé de « ajouté : »" in html


def test_the_received_filter_keeps_a_constant_number_of_queries(client, build, communes, occitanie, close_wave):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    instructor = occitanie["instructor"]
    dossiers = [build(communes["toulouse"]) for _ in range(3)]
    close_wave()

    def received(dossier):
        instruction_start(dossier=dossier, by=instructor)
        dossier.refresh_from_db()
        _ask(dossier, instructor)
        complements_answer(dossier=dossier, answer="", by=dossier.owner)

    client.force_login(instructor)
    url = reverse("instruction:dashboard")
    received(dossiers[0])
    with CaptureQueriesContext(connection) as one:
        assert dossiers[0].reference in client.get(url, {"complements": "received"}).content.decode()
    for dossier in dossiers[1:]:
        received(dossier)
    with CaptureQueriesContext(connection) as three:
        html = client.get(url, {"complements": "received"}).content.decode()

    assert all(d.reference in html for d in dossiers)
    assert len(one) == len(three)
