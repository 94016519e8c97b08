"""Outgoing e-mail through a durable outbox.

`email_queue` stores the e-mail in the caller's transaction, so it commits (or rolls back) with the
change it reports; right after the commit one attempt is made from the same process, so people get
their e-mail at once. Whatever that attempt could not send (SMTP down, process killed between the
commit and the send) stays queued and is sent by the job worker (`python -m fabriques run-jobs`)
with back-off. A claimed e-mail holds a lease (`next_attempt_at` moved past the send) rather than a
"sending" state, so an attempt cut short by a crash is simply due again when the lease ends. A new
row is born claimed for the after-commit attempt (attempts = 1, leased): that attempt needs no
claiming write of its own, and the worker sends the row only if the lease runs out.

It is the platform's only mail path: decision letters and proofs of deposit go through it too, their files stored
with the row (`OutgoingAttachment`: a stored file, or a registered renderer run at the first attempt). Nothing is
sent inside a transaction: a rolled-back change takes its e-mail with it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from fabriques.mail.enums import BACKOFF, LEASE, MAX_ATTEMPTS, SENT_KEPT, EmailState
from fabriques.mail.links import links_localise
from fabriques.mail.models import OutgoingAttachment, OutgoingEmail

logger = logging.getLogger(__name__)
BATCH = 50
# When opening the relay connection failed slowly (a relay that hangs until EMAIL_TIMEOUT), this process leaves its
# after-commit attempts to the worker for RELAY_PAUSE seconds: otherwise every request would wait EMAIL_TIMEOUT.
# A relay that refuses at once costs nothing and pauses nothing.
RELAY_PAUSE = 60.0
RELAY_SLOW = 1.0
RECORD_PAUSES = (0.5, 1, 2, 4, 8)  # seconds before each new try to record a sent e-mail (15.5 s in all)
_relay = {"down_until": 0.0}


@dataclass(frozen=True)
class Attachment:
    """A file to send with an e-mail: an already stored file (`stored_name`, through the default storage), or what a
    registered renderer draws from `key` at the first sending attempt (see `attachment_renderer_register`)."""

    filename: str
    content_type: str = "application/pdf"
    stored_name: str = ""
    renderer: str = ""
    key: str = ""


@dataclass(frozen=True)
class Email:
    """One e-mail to queue: plain text, sent from DEFAULT_FROM_EMAIL."""

    to: tuple[str, ...] | list[str]
    subject: str
    body: str
    reply_to: str = ""
    attachments: tuple[Attachment, ...] = ()


# Renderers of attachments drawn at sending time, registered by the apps that own them (a lower layer reacting to
# higher ones through a table, like `dossiers.workflow.ON_ENTER`): name -> function(key) -> bytes.
RENDERERS: dict[str, Callable[[str], bytes]] = {}


def attachment_renderer_register(name: str, render: Callable[[str], bytes]) -> None:
    RENDERERS[name] = render


def email_queue(*, to: Iterable[str], subject: str, body: str, reply_to: str = "",
                attachments: Iterable[Attachment] = (), defer: bool = False) -> OutgoingEmail:
    """Store one e-mail in the current transaction; it is sent after the commit, or later by the worker."""
    email = Email(to=list(to), subject=subject, body=body, reply_to=reply_to, attachments=tuple(attachments))
    [row] = emails_queue(emails=[email], defer=defer)
    return row


def emails_queue(*, emails: Iterable[Email], defer: bool = False) -> list[OutgoingEmail]:
    """Store several e-mails with one insert; after the commit they are sent over one connection.

    `defer`: no attempt from this process; the rows are due at once for the worker (costly attachments, e.g. the
    proofs of deposit during a deadline rush)."""
    now = timezone.now()
    rows, files = [], []
    for email in emails:
        recipients = [address for address in email.to if address]
        if not recipients:
            raise ValueError(f"E-mail without recipient: {email.subject!r}")
        rows.append(OutgoingEmail(recipients=recipients, subject=email.subject, body=links_localise(email.body),
                                  reply_to=email.reply_to, attempts=0 if defer else 1,
                                  next_attempt_at=now if defer else now + LEASE,
                                  attachment_count=len(email.attachments)))
        files.append(email.attachments)
    if not rows:
        return []
    rows = OutgoingEmail.objects.bulk_create(rows)
    attachments = [
        OutgoingAttachment(email=row, filename=a.filename, content_type=a.content_type, file=a.stored_name,
                           renderer=a.renderer, renderer_key=a.key)
        for row, attached in zip(rows, files, strict=True) for a in attached
    ]
    if attachments:
        OutgoingAttachment.objects.bulk_create(attachments)
    if not defer:
        transaction.on_commit(lambda: _send_after_commit(rows), robust=True)  # reads the rows, never changes them
    return rows


def emails_send_due(*, now=None, limit: int = BATCH) -> int:
    """Worker: one attempt for each due e-mail (up to `limit`); returns how many were attempted."""
    now = now or timezone.now()
    rows = _claim_due(now, limit)
    _send(rows, now)
    return len(rows)


# --- Claiming: one sender per attempt --------------------------------------------------------------


def _claim_due(now, limit: int) -> list[OutgoingEmail]:
    """Take up to `limit` due e-mails. PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: conditional updates."""
    due = OutgoingEmail.objects.filter(state=EmailState.QUEUED, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            OutgoingEmail.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
        return list(OutgoingEmail.objects.filter(pk__in=ids).order_by("next_attempt_at", "id"))
    return _claim(list(due.values_list("pk", flat=True)[:limit]), now)


def _claim(ids: list[int], now) -> list[OutgoingEmail]:
    """Take these e-mails if still queued and due: attempts + 1 and due again only after the lease.

    The worker's way on SQLite. Each UPDATE is conditional on the attempts count read just before,
    so of two senders only one wins: SQLite serialises writers (IMMEDIATE transactions), and on
    PostgreSQL the loser's UPDATE would wait, re-read the row and match nothing.
    """
    if not ids:
        return []
    claimed = []
    with transaction.atomic():
        candidates = OutgoingEmail.objects.filter(pk__in=ids, state=EmailState.QUEUED, next_attempt_at__lte=now)
        for pk, attempts in candidates.values_list("pk", "attempts"):
            if OutgoingEmail.objects.filter(
                pk=pk, state=EmailState.QUEUED, attempts=attempts, next_attempt_at__lte=now,
            ).update(attempts=attempts + 1, next_attempt_at=now + LEASE):
                claimed.append(pk)
    return list(OutgoingEmail.objects.filter(pk__in=claimed).order_by("next_attempt_at", "id"))


# --- Sending and recording the outcome -------------------------------------------------------------


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__} : {exc}"[:1000]


def _send_after_commit(rows: list[OutgoingEmail]) -> int:
    """The attempt right after the commit, skipped while the relay is known down (the rows stay leased for the
    worker, which sends them when the lease ends)."""
    if time.monotonic() < _relay["down_until"]:
        return 0
    return _send(rows, timezone.now())


def _send(rows: list[OutgoingEmail], now) -> int:
    """Send the claimed e-mails over one connection; each outcome is stored as soon as it is known."""
    if not rows:
        return 0
    began = time.monotonic()
    try:
        mailer = get_connection()
        mailer.open()
    except Exception as exc:  # SMTP unreachable: every e-mail waits for its next attempt
        if time.monotonic() - began >= RELAY_SLOW:
            _relay["down_until"] = time.monotonic() + RELAY_PAUSE
            logger.warning("mail relay hangs: after-commit sending paused %s s, the worker sends", RELAY_PAUSE)
        for row in rows:
            _record(row, _error(exc), now)
        return 0
    _relay["down_until"] = 0.0
    sent = 0
    attached = _attachments(rows)
    try:
        for row in rows:
            message = EmailMessage(subject=row.subject, body=row.body, to=row.recipients,
                                   reply_to=[row.reply_to] if row.reply_to else None, connection=mailer)
            try:
                for attachment in attached.get(row.pk, ()):
                    message.attach(attachment.filename, _content(attachment), attachment.content_type)
                error = "" if message.send() else "aucun destinataire accepté"
            except Exception as exc:  # recorded on the row, retried with back-off
                error = _error(exc)
            _record(row, error, now)
            sent += not error
    finally:
        try:
            mailer.close()
        except Exception:  # the e-mails are already recorded; a failed QUIT changes nothing
            logger.warning("closing the mail connection failed", exc_info=True)
    return sent


def _attachments(rows: list[OutgoingEmail]) -> dict[int, list[OutgoingAttachment]]:
    """The attachments of the rows that have some (no query when none has)."""
    ids = [row.pk for row in rows if row.attachment_count]
    found: dict[int, list[OutgoingAttachment]] = {}
    for attachment in OutgoingAttachment.objects.filter(email_id__in=ids).order_by("id") if ids else ():
        found.setdefault(attachment.email_id, []).append(attachment)
    return found


def _content(attachment: OutgoingAttachment) -> bytes:
    """The attachment's bytes: its stored file, drawn and stored first when a renderer makes it (so a retry sends the
    same bytes)."""
    if not attachment.file:
        data = RENDERERS[attachment.renderer](attachment.renderer_key)
        attachment.file.save(attachment.filename, ContentFile(data), save=False)
        attachment.owned = True
        OutgoingAttachment.objects.filter(pk=attachment.pk).update(file=attachment.file.name, owned=True)
        return data
    with attachment.file.open("rb") as handle:
        return handle.read()


# An e-mail is born queued (the field's default) and stays so between attempts; it ends sent or failed, and a failed
# one goes back to the queue only when an operator asks (`mail-status --retry-failed`).
EMAIL_TRANSITIONS: dict[str, frozenset[str]] = {
    EmailState.QUEUED: frozenset({EmailState.SENT, EmailState.FAILED}),
    EmailState.SENT: frozenset(),
    EmailState.FAILED: frozenset({EmailState.QUEUED}),
}


def email_transition(emails, to: str, **values) -> int:
    """Move the e-mails of the queryset `emails` that are in a state the table allows to `to`, with `values`, in one
    conditional UPDATE (the caller's filter says which attempt may record); returns how many moved."""
    to = EmailState(to)
    sources = [state for state, targets in EMAIL_TRANSITIONS.items() if to in targets]
    return emails.filter(state__in=sources).update(state=to, **values)


def _record(row: OutgoingEmail, error: str, now) -> None:
    """Sent; or due again after the back-off; or failed for good after MAX_ATTEMPTS (logged)."""
    if not error:
        changes = {"to": EmailState.SENT, "sent_at": timezone.now(), "last_error": ""}
    elif row.attempts >= MAX_ATTEMPTS:
        changes = {"to": EmailState.FAILED, "last_error": error}
        logger.error("e-mail %s to %s given up after %s attempts: %s", row.pk, row.recipients, row.attempts, error)
    else:
        changes = {"next_attempt_at": now + BACKOFF[row.attempts - 1], "last_error": error}
        logger.warning("e-mail %s not sent (attempt %s), retried later: %s", row.pk, row.attempts, error)
    try:
        _record_update(row.pk, row.attempts, changes)
    except DatabaseError:
        if error or connection.in_atomic_block:
            raise
        # The relay has this e-mail: unless its row says so, the worker sends it again when the lease ends. A thread
        # waits a little for a database that restarts or fails over, without holding the request that sent it.
        logger.warning("e-mail %s sent but not recorded yet (database unavailable): retrying", row.pk)
        threading.Thread(target=_record_later, args=(row.pk, row.attempts, changes), daemon=True).start()


def _record_update(pk: int, attempts: int, changes: dict) -> None:
    # Only if no other sender re-claimed it after this attempt's lease ran out.
    this_attempt = OutgoingEmail.objects.filter(pk=pk, attempts=attempts)
    values = dict(changes)
    to = values.pop("to", None)
    if to is None:  # still queued: due again after the back-off
        this_attempt.filter(state=EmailState.QUEUED).update(**values)
    else:
        email_transition(this_attempt, to, **values)


def _record_later(pk: int, attempts: int, changes: dict) -> None:
    """Record a sent e-mail once the database takes writes again (about 15 s at most; its own connection)."""
    try:
        for pause in RECORD_PAUSES:
            time.sleep(pause)
            try:
                _record_update(pk, attempts, changes)
                return
            except DatabaseError:
                connection.close()
        logger.error("e-mail %s sent but never recorded: the worker may send it a second time", pk)
    finally:
        connection.close()


# --- Operations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxCounts:
    queued: int
    due: int
    sent: int
    failed: int


def outbox_counts(*, now=None) -> OutboxCounts:
    """How many e-mails wait, are due now, went out, were given up (one query)."""
    now = now or timezone.now()
    queued = Q(state=EmailState.QUEUED)
    figures = OutgoingEmail.objects.aggregate(
        queued=Count("pk", filter=queued), due=Count("pk", filter=queued & Q(next_attempt_at__lte=now)),
        sent=Count("pk", filter=Q(state=EmailState.SENT)), failed=Count("pk", filter=Q(state=EmailState.FAILED)),
    )
    return OutboxCounts(**figures)


def emails_retry_failed(*, now=None) -> int:
    """Put the given-up e-mails back in the queue with a fresh count of attempts (after an SMTP repair)."""
    now = now or timezone.now()
    return email_transition(OutgoingEmail.objects.filter(state=EmailState.FAILED), EmailState.QUEUED, attempts=0,
                            next_attempt_at=now)


def emails_purge_sent(*, now=None) -> int:
    """Delete the e-mails sent more than SENT_KEPT ago (their text holds personal data); returns how many.

    Queued and failed ones stay: they are still to be sent, or to be looked at (`mail-status`).
    """
    now = now or timezone.now()
    old = OutgoingEmail.objects.filter(state=EmailState.SENT, sent_at__lt=now - SENT_KEPT)
    for attachment in OutgoingAttachment.objects.filter(email__in=old.values("pk"), owned=True).exclude(file=""):
        attachment.file.delete(save=False)  # files the outbox drew itself; a committee letter stays its app's
    deleted = old.count()
    old.delete()
    return deleted
