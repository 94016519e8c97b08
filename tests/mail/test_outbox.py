"""The durable e-mail outbox: stored with the change it reports, sent at once, else retried by the worker."""

import datetime as dt
import io
import logging
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from fabriques.dossiers.deposit import dossier_withdraw
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.mail import domain
from fabriques.mail.domain import Email, email_queue, emails_queue, emails_send_due
from fabriques.mail.enums import BACKOFF, LEASE, MAX_ATTEMPTS, EmailState
from fabriques.mail.models import OutgoingEmail
from tests.mail.backends import SlowRecordingBackend

DOWN = "tests.mail.backends.DownBackend"
REFUSING = "tests.mail.backends.RefusingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SECOND = dt.timedelta(seconds=1)


def _withdrawn_subject(dossier) -> str:
    return f"[Fabriques] Dossier retiré — {dossier.reference}"


@pytest.mark.django_db
def test_a_transition_stores_its_email_in_its_transaction_and_sends_it_after_the_commit(
    dossier, applicant, django_capture_on_commit_callbacks,
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        dossier_withdraw(dossier=dossier, by=applicant, reason="Projet reporté")
    row = OutgoingEmail.objects.get(subject=_withdrawn_subject(dossier))
    # Born claimed for the after-commit attempt: the worker leaves it alone unless that attempt never ends.
    assert (row.state, row.attempts, row.recipients) == (EmailState.QUEUED, 1, ["porteuse@example.org"])
    assert row.next_attempt_at > timezone.now() + LEASE - dt.timedelta(minutes=1)
    assert "Motif : Projet reporté" in row.body
    assert mail.outbox == []  # nothing leaves before the commit
    assert emails_send_due() == 0

    for callback in after_commit:
        callback()

    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (EmailState.SENT, 1, "")
    assert row.sent_at is not None
    [message] = mail.outbox
    assert (message.subject, message.to, message.body) == (row.subject, ["porteuse@example.org"], row.body)


@pytest.mark.django_db(transaction=True)
def test_a_committed_transition_is_mailed_at_once_and_a_rolled_back_one_never(dossier, applicant):
    mail.outbox.clear()
    def withdraw_then_fail():
        with transaction.atomic():
            dossier_withdraw(dossier=dossier, by=applicant)
            assert OutgoingEmail.objects.count() == 1
            raise RuntimeError("la suite de l’action échoue")

    with pytest.raises(RuntimeError):
        withdraw_then_fail()

    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.DRAFT
    assert OutgoingEmail.objects.count() == 0
    assert emails_send_due(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert mail.outbox == []

    dossier_withdraw(dossier=dossier, by=applicant)  # a real commit: the after-commit send runs

    row = OutgoingEmail.objects.get()
    assert (row.state, row.attempts) == (EmailState.SENT, 1)
    assert [m.subject for m in mail.outbox] == [_withdrawn_subject(dossier)]


@pytest.mark.django_db(transaction=True)
def test_a_kill_between_the_commit_and_the_send_loses_nothing_the_worker_sends_it(dossier, applicant):
    mail.outbox.clear()
    with transaction.atomic():
        dossier_withdraw(dossier=dossier, by=applicant)
        connection.run_on_commit.clear()  # the process dies right after the commit: no after-commit work runs
    row = OutgoingEmail.objects.get()
    assert (row.state, row.attempts) == (EmailState.QUEUED, 1)
    assert mail.outbox == []
    assert emails_send_due() == 0  # the lease of the attempt that never happened still runs

    OutgoingEmail.objects.update(next_attempt_at=F("next_attempt_at") - LEASE)  # five minutes later
    out = io.StringIO()
    call_command("run_jobs", "--once", stdout=out)

    assert "courriels 1" in out.getvalue()
    row.refresh_from_db()
    assert (row.state, row.attempts) == (EmailState.SENT, 2)
    assert [m.subject for m in mail.outbox] == [_withdrawn_subject(dossier)]


@pytest.mark.django_db
@pytest.mark.parametrize(("backend", "error"), [(DOWN, "SMTPConnectError"), (REFUSING, "SMTPDataError")])
def test_smtp_failure_keeps_the_email_queued_with_back_off_then_the_worker_sends_it(
    dossier, applicant, settings, django_capture_on_commit_callbacks, backend, error,
):
    settings.EMAIL_BACKEND = backend
    mail.outbox.clear()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        dossier_withdraw(dossier=dossier, by=applicant)

    row = OutgoingEmail.objects.get(subject=_withdrawn_subject(dossier))
    assert (row.state, row.attempts, row.sent_at) == (EmailState.QUEUED, 1, None)
    assert row.last_error.startswith(error)
    assert before + BACKOFF[0] <= row.next_attempt_at <= timezone.now() + BACKOFF[0]
    assert emails_send_due(now=row.next_attempt_at - SECOND) == 0  # not due before its back-off

    settings.EMAIL_BACKEND = LOCMEM  # the server is back
    assert emails_send_due(now=row.next_attempt_at) == 1

    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (EmailState.SENT, 2, "")
    assert [m.subject for m in mail.outbox] == [row.subject]


@pytest.mark.django_db
def test_an_email_is_given_up_after_the_last_attempt_logged_and_reported(
    settings, caplog, django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = DOWN
    with caplog.at_level(logging.WARNING, logger="fabriques.mail.domain"):
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):  # attempt 1, right after the commit
            row = email_queue(to=["agent@exemple.fr"], subject="[Fabriques] Essai", body="Bonjour",
                              reply_to="r@exemple.fr")
        row.refresh_from_db()
        assert before + BACKOFF[0] <= row.next_attempt_at <= timezone.now() + BACKOFF[0]
        now, waits = row.next_attempt_at, []
        for _ in range(MAX_ATTEMPTS - 1):  # attempts 2 to 6, by the worker
            assert emails_send_due(now=now) == 1
            row.refresh_from_db()
            waits.append(row.next_attempt_at - now)
            now = row.next_attempt_at

    assert waits[:-1] == list(BACKOFF[1:])  # then 5 min, 30 min, 2 h, 12 h
    assert (row.state, row.attempts, row.sent_at) == (EmailState.FAILED, MAX_ATTEMPTS, None)
    assert emails_send_due(now=now + dt.timedelta(days=30)) == 0
    [given_up] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"given up after {MAX_ATTEMPTS} attempts" in given_up.getMessage()

    out = io.StringIO()
    call_command("mail_status", stdout=out)
    assert "0 à envoyer (dont 0 à essayer maintenant), 0 envoyé(s), 1 en échec définitif" in out.getvalue()
    assert f"#{row.pk} " in out.getvalue()
    assert "SMTPConnectError" in out.getvalue()

    settings.EMAIL_BACKEND = LOCMEM
    mail.outbox.clear()
    out = io.StringIO()
    call_command("mail_status", "--retry-failed", stdout=out)
    assert "1 courriel(s) remis en file" in out.getvalue()
    assert emails_send_due() == 1
    [message] = mail.outbox
    assert (message.subject, message.reply_to) == ("[Fabriques] Essai", ["r@exemple.fr"])


@pytest.mark.django_db
def test_an_email_is_claimed_by_one_sender_only():
    row = email_queue(to=["a@exemple.fr"], subject="Essai", body=".")  # its after-commit attempt never runs
    now = row.next_attempt_at

    first, second = domain._claim([row.pk], now), domain._claim([row.pk], now)

    assert ([r.pk for r in first], second) == ([row.pk], [])
    assert first[0].attempts == 2
    assert emails_send_due(now=now) == 0  # the new lease holds it
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_email_whose_sender_died_while_sending_is_sent_after_the_lease():
    mail.outbox.clear()
    row = email_queue(to=["a@exemple.fr"], subject="Essai", body=".")  # its after-commit attempt never runs
    now = row.next_attempt_at
    domain._claim([row.pk], now)  # a worker took it, then died before recording anything

    assert emails_send_due(now=now + LEASE - SECOND) == 0
    assert emails_send_due(now=now + LEASE) == 1

    row.refresh_from_db()
    assert (row.state, row.attempts) == (EmailState.SENT, 3)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_email_without_recipient_is_refused():
    with pytest.raises(ValueError, match="without recipient"):
        email_queue(to=[""], subject="Essai", body=".")
    assert OutgoingEmail.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; threads share no server")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_email_exactly_once(settings):
    settings.EMAIL_BACKEND = "tests.mail.backends.SlowRecordingBackend"
    SlowRecordingBackend.delivered.clear()
    subjects = [f"Courriel {i}" for i in range(60)]
    with transaction.atomic():
        rows = emails_queue(emails=[Email(to=["x@exemple.fr"], subject=s, body=".") for s in subjects])
        connection.run_on_commit.clear()  # the after-commit attempt never runs: all left to the workers
    later, start, errors = rows[0].next_attempt_at, threading.Barrier(2), []

    def worker():
        try:
            start.wait(5)
            while emails_send_due(now=later, limit=7):
                pass
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(SlowRecordingBackend.delivered) == sorted(subjects)
    assert set(OutgoingEmail.objects.values_list("state", "attempts")) == {(EmailState.SENT, 2)}


@pytest.mark.django_db
def test_failed_emails_are_counted_in_the_admin(client, make_user):
    from fabriques.accounts.models import User

    admin = User.objects.create_superuser("ops@exemple.fr", "motdepasse-solide-42")
    OutgoingEmail.objects.create(recipients=["a@exemple.fr"], subject="Perdu ?", body=".", state=EmailState.FAILED,
                                 attempts=MAX_ATTEMPTS, next_attempt_at=timezone.now())
    client.force_login(admin)

    response = client.get("/admin/mail/outgoingemail/")

    assert response.status_code == 200
    assert "Échec définitif" in response.text
    assert "Perdu ?" in response.text


@pytest.mark.django_db
def test_sent_emails_are_deleted_after_30_days_and_queued_or_failed_ones_are_kept(settings):
    from fabriques.mail.domain import emails_purge_sent
    from fabriques.mail.enums import SENT_KEPT

    settings.EMAIL_BACKEND = LOCMEM
    now = timezone.now()
    OutgoingEmail.objects.bulk_create(
        OutgoingEmail(recipients=["a@exemple.fr"], subject=name, body="-", state=state, sent_at=sent_at,
                      next_attempt_at=now)
        for name, state, sent_at in [("old", EmailState.SENT, now - SENT_KEPT - SECOND),
                                     ("recent", EmailState.SENT, now - SENT_KEPT + dt.timedelta(hours=1)),
                                     ("waiting", EmailState.QUEUED, None), ("given-up", EmailState.FAILED, None)])

    assert emails_purge_sent(now=now) == 1
    assert set(OutgoingEmail.objects.values_list("subject", flat=True)) == {"recent", "waiting", "given-up"}
    assert emails_purge_sent(now=now) == 0
