"""How far the sending of a wave's decision letters has got: letters are queued in the e-mail outbox by « Envoyer »
(one `OutgoingEmail` each, linked from the letter) and leave after the commit or from the worker."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from fabriques.committee.enums import OutboxState
from fabriques.committee.models import OutboxMessage
from fabriques.mail.enums import EmailState


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
    """One query whatever the number of letters: the letters by state, and the state of the e-mail of each."""
    counts = OutboxMessage.objects.filter(dossier__wave=wave).aggregate(
        total=Count("id"), queued=Count("id", filter=Q(state=OutboxState.SENT)),
        delivered=Count("id", filter=Q(state=OutboxState.SENT, email__state=EmailState.SENT)),
        failed=Count("id", filter=Q(state=OutboxState.SENT, email__state=EmailState.FAILED)),
    )
    return LettersProgress(**counts)
