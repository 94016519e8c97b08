"""Development inbox: e-mails printed on the console and kept as .eml files, read at /dev/courriels/ (DEBUG only).

Files, not a table: the web server and the job worker (two processes) both send e-mail, and allauth's own
e-mails (confirmation, password reset) do not go through the outbox.
"""

from __future__ import annotations

import email
import email.policy
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.utils import timezone

KEPT = 200  # the newest files listed; older ones stay on disk until `var/` is cleared


def inbox_dir() -> Path | None:
    """The inbox folder when the development inbox is on (DEBUG and a folder set), else None."""
    folder = getattr(settings, "FABRIQUES_DEV_INBOX_DIR", "")
    return Path(folder) if settings.DEBUG and folder else None


class DevInboxBackend(ConsoleBackend):
    """Console output plus one .eml file per message in FABRIQUES_DEV_INBOX_DIR."""

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        folder = Path(getattr(settings, "FABRIQUES_DEV_INBOX_DIR", "") or "")
        if folder != Path() and email_messages:
            folder.mkdir(parents=True, exist_ok=True)
            for message in email_messages:
                name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
                (folder / name).write_bytes(message.message().as_bytes())
        return sent


@dataclass(frozen=True)
class InboxEmail:
    name: str
    subject: str
    to: str
    sent_at: datetime
    body: str
    attachments: tuple[str, ...]


def _read(path: Path) -> InboxEmail:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    part = parsed.get_body(preferencelist=("plain", "html"))
    attachments = tuple(a.get_filename() or "pièce jointe" for a in parsed.iter_attachments())
    stamp = datetime.strptime(path.name.split("-", 1)[0], "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    return InboxEmail(name=path.stem, subject=str(parsed["subject"] or ""), to=str(parsed["to"] or ""),
                      sent_at=stamp, body=part.get_content() if part is not None else "", attachments=attachments)


def inbox_list() -> list[InboxEmail]:
    """The newest e-mails first (at most KEPT)."""
    folder = inbox_dir()
    if folder is None or not folder.is_dir():
        return []
    return [_read(path) for path in sorted(folder.glob("*.eml"), reverse=True)[:KEPT]]


def inbox_get(name: str) -> InboxEmail | None:
    folder = inbox_dir()
    if folder is None or not name.replace("-", "").isalnum():
        return None
    path = folder / f"{name}.eml"
    return _read(path) if path.is_file() else None
