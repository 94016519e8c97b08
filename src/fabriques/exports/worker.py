"""Is the job worker (`run-jobs`) keeping up? Read from the work it leaves waiting, so no heartbeat table is needed.

An item is late when it has been due for more than LATE: the worker polls every 2 s, so only a stopped (or
overwhelmed) worker leaves one that long. Four aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min
from django.utils import timezone

from fabriques.dossiers.models import DossierVersion
from fabriques.mail.enums import EmailState
from fabriques.mail.models import OutgoingEmail
from fabriques.webhooks.enums import DeliveryState
from fabriques.webhooks.models import WebhookDelivery

LATE = timedelta(minutes=2)


@dataclass(frozen=True)
class WorkerBacklog:
    waiting: int
    since: datetime | None
    kinds: tuple[str, ...]

    @property
    def late(self) -> bool:
        return self.waiting > 0


def worker_backlog(*, now: datetime | None = None) -> WorkerBacklog:
    """How many background items are overdue, since when, and of which kinds (in French)."""
    from fabriques.exports.enums import JobState
    from fabriques.exports.models import ExportJob
    cutoff = (now or timezone.now()) - LATE
    sources = (
        ("exports", ExportJob.objects.filter(state=JobState.QUEUED, created_at__lte=cutoff), "created_at"),
        ("courriels", OutgoingEmail.objects.filter(state=EmailState.QUEUED, next_attempt_at__lte=cutoff),
         "next_attempt_at"),
        ("webhooks", WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=cutoff),
         "next_attempt_at"),
        ("attestations de dépôt", DossierVersion.objects.filter(proof_queued=True, deposited_at__lte=cutoff),
         "deposited_at"),
    )
    waiting, oldest, kinds = 0, [], []
    for label, qs, column in sources:
        found = qs.aggregate(n=Count("pk"), oldest=Min(column))
        if found["n"]:
            waiting += found["n"]
            oldest.append(found["oldest"])
            kinds.append(label)
    return WorkerBacklog(waiting=waiting, since=min(oldest) if oldest else None, kinds=tuple(kinds))
