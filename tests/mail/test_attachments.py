"""Attachments stored with the outbox row: listed (names only) in the read-only admin, their drawn files deleted with
the sent rows that retention purges."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from fabriques.mail.domain import RENDERERS, Attachment, email_queue, emails_purge_sent, emails_send_due
from fabriques.mail.enums import EmailState
from fabriques.mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def renderer():
    RENDERERS["tests.note"] = lambda key: f"%PDF note {key}".encode()
    yield "tests.note"
    del RENDERERS["tests.note"]


def test_a_drawn_attachment_is_stored_once_shown_in_the_admin_and_purged_with_its_row(
    renderer, client, make_user, media_root, django_capture_on_commit_callbacks,
):
    stored = default_storage.save("letters/lettre.pdf", ContentFile(b"%PDF lettre"))
    with django_capture_on_commit_callbacks(execute=True):
        row = email_queue(to=["lea@exemple.fr"], subject="Deux pièces", body="Ci-joint.", attachments=[
            Attachment(filename="lettre.pdf", stored_name=stored),
            Attachment(filename="note-7.pdf", renderer=renderer, key="7"),
        ])
    [message] = mail.outbox
    assert [(name, content) for name, content, _ in message.attachments] == [
        ("lettre.pdf", b"%PDF lettre"), ("note-7.pdf", b"%PDF note 7")]
    drawn = row.attachments.get(renderer=renderer)
    assert drawn.owned
    assert default_storage.exists(drawn.file.name)

    boss = make_user("root@example.org")
    boss.is_staff = boss.is_superuser = True
    boss.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(boss)
    page = client.get(reverse("admin:mail_outgoingemail_change", args=[row.pk])).content.decode()
    assert "note-7.pdf" in page
    assert "lettre.pdf" in page

    OutgoingEmail.objects.filter(pk=row.pk).update(sent_at=timezone.now() - dt.timedelta(days=31))
    assert emails_purge_sent() == 1
    assert not default_storage.exists(drawn.file.name)  # drawn by the outbox: deleted with its row
    assert default_storage.exists(stored)  # the committee's letter stays its app's


def test_an_attachment_that_cannot_be_drawn_leaves_the_email_queued_for_a_retry(
    renderer, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        row = email_queue(to=["lea@exemple.fr"], subject="Sans pièce", body=".", attachments=[
            Attachment(filename="x.pdf", renderer="tests.unknown", key="1")])
    row.refresh_from_db()
    assert (row.state, "KeyError" in row.last_error) == (EmailState.QUEUED, True)
    assert mail.outbox == []
    assert emails_send_due(now=row.next_attempt_at) == 1  # retried by the worker, still refused
    assert mail.outbox == []
