# ruff: noqa: F811 - pytest fixtures imported from tests.dossiers.conftest are arguments of the tests
"""Degraded service: `/sante/`, the French 503 page and the read-only banner, disk space before an upload, a mail
relay that hangs. The faults themselves (PostgreSQL stopped, disk filled, clamd killed…) against a real gunicorn:
test_fault_safety.py."""

import datetime as dt
import os
import socket
import subprocess
import threading
import time
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from fabriques.dossiers import domain, queries
from fabriques.dossiers.deposit import deposit_key_issue
from fabriques.dossiers.models import DossierAttachment, DossierVersion
from fabriques.mail import domain as mail_domain
from fabriques.mail.domain import email_queue
from fabriques.mail.enums import EmailState
from fabriques.mail.models import OutgoingEmail
from fabriques.security import degraded
from tests.dossiers.conftest import (  # noqa: F401 - fixtures used by name below
    applicant,
    commune,
    complete_dossier,
    dossier,
    media_root,
    organisation,
    track,
)
from tests.dossiers.factories import small_pdf, upload


@pytest.fixture(autouse=True)
def _fresh_process_state():
    degraded.read_only_clear()
    mail_domain._relay["down_until"] = 0.0
    yield
    degraded.read_only_clear()
    mail_domain._relay["down_until"] = 0.0


# --- /sante/ -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_says_ok_with_each_check_for_the_load_balancer(client, media_root):
    response = client.get("/sante/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["read_only"] is False
    assert body["checks"]["storage"]["ok"] is True
    assert body["checks"]["worker"] == {"ok": True, "lag_s": 0, "max_lag_s": 600}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_health_is_503_when_the_disk_is_nearly_full(client, media_root, settings):
    settings.FABRIQUES_MIN_FREE_MB = 1024 * 1024 * 1024  # a petabyte: more than any disk has free
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["storage"]["ok"] is False


@pytest.mark.django_db
def test_health_reports_a_worker_that_lags_as_degraded_but_keeps_the_server_in_service(client, media_root):
    row = email_queue(to=["a@example.org"], subject="Retard", body="…")
    OutgoingEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - dt.timedelta(hours=1))
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False
    assert 3590 <= worker["lag_s"] <= 3700


# --- A database that refuses writes: 503 page in French, then the banner -------------------------------------------


class _ReadOnlyDatabase:
    """The test's own connection refuses writes: SQLite `query_only`, PostgreSQL a read-only (sub)transaction."""

    def __enter__(self):
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = ON")
        else:  # in a savepoint: rolling it back makes the transaction writable again for the test's teardown
            self.savepoint = transaction.atomic()
            self.savepoint.__enter__()
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL transaction_read_only = on")

    def __exit__(self, *exc):
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = OFF")
        else:
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)


@pytest.mark.django_db
def test_a_deposit_refused_by_a_read_only_database_gets_the_french_503_page_then_pages_show_the_banner(
    client, complete_dossier, applicant,
):
    client.force_login(applicant)
    client.raise_request_exception = False
    key = deposit_key_issue(dossier=complete_dossier)
    with _ReadOnlyDatabase():
        response = client.post(reverse("dossiers:deposit", args=[complete_dossier.uuid]), {"submission_key": key})
        text = response.content.decode()
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "Le service est momentanément en lecture seule" in text
        assert "Réessayez dans quelques instants" in text
        assert "Traceback" not in text
        assert not DossierVersion.objects.filter(submission_key=key).exists()

        page = client.get(reverse("dossiers:detail", args=[complete_dossier.uuid]))
        assert page.status_code == 200
        assert "en lecture seule : vous pouvez consulter vos dossiers" in page.content.decode()


@pytest.mark.django_db
def test_a_session_that_cannot_be_saved_in_a_read_only_database_is_a_503_not_a_400(client, applicant, rf):
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.exceptions import SessionInterrupted

    from fabriques.theme.views import error_400

    client.force_login(applicant)
    store = SessionStore(session_key=client.session.session_key)
    store["seen"] = True
    with _ReadOnlyDatabase():
        try:
            try:
                store.save()  # what SessionMiddleware does after a page that changed the session
            except UpdateError:
                raise SessionInterrupted("session not saved")  # noqa: B904 - as SessionMiddleware raises it
        except SessionInterrupted as exc:
            interrupted = exc
    assert interrupted.__context__ is not None
    response = error_400(rf.get("/"), interrupted)
    assert response.status_code == 503
    assert "Réessayez dans quelques instants" in response.content.decode()


@pytest.mark.django_db
def test_no_banner_while_the_database_takes_writes(client, complete_dossier, applicant):
    client.force_login(applicant)
    page = client.get(reverse("dossiers:detail", args=[complete_dossier.uuid]))
    assert "en lecture seule" not in page.content.decode()


def test_a_lost_connection_is_a_503_but_a_programming_error_stays_a_500():
    import sqlite3

    from django.db.utils import DatabaseErrorWrapper, OperationalError, ProgrammingError

    def django_error(driver_error):  # as Django's SQLite backend wraps its driver's errors
        try:
            with DatabaseErrorWrapper(SimpleNamespace(Database=sqlite3, errors_occurred=False)):
                raise driver_error
        except Exception as exc:
            return exc
        raise AssertionError

    locked = django_error(sqlite3.OperationalError("database is locked"))
    assert isinstance(locked, OperationalError)
    assert degraded.database_fault(locked) == "down"
    assert degraded.database_fault(django_error(sqlite3.OperationalError("no such table: x"))) == ""
    assert degraded.database_fault(django_error(sqlite3.ProgrammingError("bad"))) == ""
    assert isinstance(django_error(sqlite3.ProgrammingError("bad")), ProgrammingError)
    assert degraded.database_fault(ValueError("not a database error")) == ""


# --- Disk space before an upload -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_upload_is_refused_in_french_when_the_disk_is_nearly_full_and_nothing_is_stored(
    dossier, applicant, media_root, settings,
):
    settings.FABRIQUES_MIN_FREE_MB = 1024 * 1024 * 1024
    required = queries.required_attachments_for(dossier)[0]
    with pytest.raises(domain.DossierError) as exc:
        domain.attachment_add(dossier=dossier, required=required, by=applicant, upload=upload("s.pdf", small_pdf()))
    assert str(exc.value) == domain.NO_SPACE_MESSAGE
    assert "Réessayez dans quelques minutes" in str(exc.value)
    assert DossierAttachment.objects.count() == 0
    assert not (media_root / "dossiers").exists()


@pytest.mark.django_db
@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (.ci/run runs as root)")
def test_a_disk_that_fills_while_the_file_is_written_leaves_no_partial_file(dossier, applicant, settings, tmp_path):
    media = tmp_path / "small-disk"
    media.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(media)], check=True)  # noqa: S603, S607 - fixed arguments
    try:
        settings.MEDIA_ROOT = media
        settings.FABRIQUES_MIN_FREE_MB = 0  # the check before passes: the disk fills during the write
        required = next(r for r in queries.required_attachments_for(dossier) if r.code == "statuts")
        big = small_pdf() + b"%" + b"0" * (2 * 1024 * 1024)
        with pytest.raises(domain.DossierError) as exc:
            domain.attachment_add(dossier=dossier, required=required, by=applicant, upload=upload("s.pdf", big))
        assert str(exc.value) == domain.NO_SPACE_MESSAGE
        assert DossierAttachment.objects.count() == 0
        assert [p for p in media.rglob("*") if p.is_file()] == []
    finally:
        subprocess.run(["umount", "-l", str(media)], check=False)  # noqa: S603, S607 - fixed arguments


# --- A relay that hangs holds one request, not every one ------------------------------------------------------------


@pytest.fixture
def hanging_relay():
    """A real TCP port that accepts connections and never answers (an SMTP relay stuck for an hour)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []

    def hold():
        try:
            while True:
                held.append(listener.accept()[0])
        except OSError:
            pass

    threading.Thread(target=hold, daemon=True).start()
    yield listener.getsockname()[1]
    listener.shutdown(socket.SHUT_RDWR)
    listener.close()
    for conn in held:
        conn.close()


@pytest.mark.django_db
def test_a_hanging_relay_pauses_after_commit_sending_and_leaves_the_emails_to_the_worker(
    settings, hanging_relay, django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", hanging_relay, False
    settings.EMAIL_TIMEOUT = 1.5
    began = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        first = email_queue(to=["a@example.org"], subject="Un", body="…")
    first_took = time.monotonic() - began
    began = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        second = email_queue(to=["b@example.org"], subject="Deux", body="…")
    second_took = time.monotonic() - began

    assert first_took >= 1.5  # the first attempt waited for the relay
    assert second_took < 0.5  # the next ones do not: the worker sends them
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.attempts) == (EmailState.QUEUED, 1)
    assert first.last_error.startswith("SMTPServerDisconnected")
    assert (second.state, second.attempts, second.last_error) == (EmailState.QUEUED, 1, "")
    assert second.next_attempt_at > timezone.now()  # leased: the worker takes it when the lease ends
