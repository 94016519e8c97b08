"""Decision letters go through the outbox: queued with the stored letter in the sending transaction, sent after the
commit, never inside it; a failed transaction sends nothing and a retried send sends once."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from fabriques.committee import domain
from fabriques.committee.enums import OutboxState
from fabriques.committee.models import OutboxMessage
from fabriques.mail.enums import EmailState
from fabriques.mail.models import OutgoingEmail
from tests.committee_flow.test_committee import _relaxed

pytestmark = pytest.mark.django_db


class AfterQueueingError(Exception):
    """Something failing in the sending transaction after the letter was queued."""


def _send_then_fail(draft, by) -> None:
    with transaction.atomic():
        domain.outbox_send(message=draft, by=by)
        assert _letters().count() == 1  # queued in the transaction…
        assert mail.outbox == []  # …and not sent inside it
        raise AfterQueueingError


@pytest.fixture
def draft(evaluated_wave, people, django_capture_on_commit_callbacks) -> OutboxMessage:
    scenario = _relaxed(domain.scenario_create(wave=evaluated_wave, name="Courriers", by=people["committee"]), people)
    scenario.envelope_eur = 300000
    scenario.save()
    domain.scenario_solve(scenario=scenario, by=people["committee"])
    domain.decisions_stage(scenario=scenario, by=people["committee"])
    with django_capture_on_commit_callbacks(execute=True):
        domain.decisions_apply(wave=evaluated_wave, by=people["admin"])
    mail.outbox.clear()
    return OutboxMessage.objects.filter(dossier__wave=evaluated_wave, state=OutboxState.DRAFT).first()


def _letters():
    return OutgoingEmail.objects.filter(subject__in=OutboxMessage.objects.values("subject"))


def test_a_letter_whose_transaction_fails_after_queueing_sends_nothing(draft, people,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as after_commit, pytest.raises(AfterQueueingError):
        _send_then_fail(draft, people["admin"])

    assert after_commit == []
    assert mail.outbox == []
    assert _letters().count() == 0
    draft.refresh_from_db()
    assert (draft.state, draft.sent_at) == (OutboxState.DRAFT, None)
    call_command("run_jobs", "--once")
    assert mail.outbox == []


def test_a_letter_sent_twice_or_retried_by_the_worker_leaves_once_with_its_pdf(draft, people,
                                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        domain.outbox_send(message=draft, by=people["admin"])
    with pytest.raises(domain.CommitteeError, match="déjà été envoyé"):
        domain.outbox_send(message=draft, by=people["admin"])
    call_command("run_jobs", "--once")

    [sent] = mail.outbox
    assert sent.to == [draft.recipient]
    [(filename, content, content_type)] = sent.attachments
    assert (filename, content[:4], content_type) == (draft.letter.name.rsplit("/", 1)[-1], b"%PDF", "application/pdf")
    [row] = _letters()
    assert (row.state, row.attachment_count) == (EmailState.SENT, 1)
    assert row.attachments.get().file.name == draft.letter.name  # the stored letter, not a copy
    draft.refresh_from_db()
    assert draft.state == OutboxState.SENT


def test_a_letter_queued_while_the_relay_is_down_is_sent_later_by_the_worker(draft, people, settings,
                                                                             django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.mail.backends.DownBackend"
    with django_capture_on_commit_callbacks(execute=True):
        domain.outbox_send(message=draft, by=people["admin"])
    [row] = _letters()
    assert (row.state, row.last_error != "") == (EmailState.QUEUED, True)
    draft.refresh_from_db()
    assert draft.state == OutboxState.SENT  # handed to the outbox: the admin does not send it again

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingEmail.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    call_command("run_jobs", "--once")
    assert [m.subject for m in mail.outbox] == [draft.subject]
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
