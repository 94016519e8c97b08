"""How far the sending of a wave's decision letters has got: letters are queued in the e-mail outbox by « Envoyer »
(one `OutgoingEmail` each, subject naming the dossier) and leave after the commit or from the worker."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from fabriques.committee.enums import OutboxState
from fabriques.committee.models import OutboxMessage
from fabriques.mail.enums import EmailState
from fabriques.mail.models import OutgoingEmail


@dataclass(frozen=True)
class LettersProgress:
    total: int  # the wave's letters
    queued: int  # handed to the e-mail outbox (« Envoyer »)
    delivered: int  # left through SMTP
    failed: int  # given up by the outbox after its retries

    @property
    def waiting(self) -> int:
        return self.queued - self.delivered - self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.delivered / self.total) if self.total else 0


def letters_progress(wave) -> LettersProgress:
    """Two queries whatever the number of letters: the letters by state, and their e-mails by state."""
    letters = OutboxMessage.objects.filter(dossier__wave=wave)
    counts = letters.aggregate(total=Count("id"), queued=Count("id", filter=Q(state=OutboxState.SENT)))
    emails = OutgoingEmail.objects.filter(
        subject__in=letters.filter(state=OutboxState.SENT).values("subject"),
    ).aggregate(delivered=Count("id", filter=Q(state=EmailState.SENT)),
                failed=Count("id", filter=Q(state=EmailState.FAILED)))
    return LettersProgress(total=counts["total"], queued=counts["queued"], delivered=emails["delivered"],
                           failed=emails["failed"])
