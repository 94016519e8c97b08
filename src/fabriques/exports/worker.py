"""Is the job worker (`run-jobs`) keeping up? Read from the work it leaves waiting, so no heartbeat table is needed.

An item is late when it has been due for more than LATE: the worker polls every 2 s, so only a stopped (or
overwhelmed) worker leaves one that long. Four aggregate queries; the health check (`/sante/`) reads the same work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, QuerySet
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


def _due(at: datetime) -> tuple[tuple[str, QuerySet, str], ...]:
    """The work `run-jobs` has to do that was due at `at` or before: (its name in French, its rows, the column that
    says since when it is due). One list for the agents' banner and the health check."""
    from fabriques.exports.enums import JobState
    from fabriques.exports.models import ExportJob

    return (
        ("exports", ExportJob.objects.filter(state=JobState.QUEUED, created_at__lte=at), "created_at"),
        ("courriels", OutgoingEmail.objects.filter(state=EmailState.QUEUED, next_attempt_at__lte=at),
         "next_attempt_at"),
        ("webhooks", WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=at),
         "next_attempt_at"),
        ("attestations de dépôt", DossierVersion.objects.filter(proof_queued=True, deposited_at__lte=at),
         "deposited_at"),
    )


def worker_backlog(*, now: datetime | None = None) -> WorkerBacklog:
    """How many background items are overdue, since when, and of which kinds (in French)."""
    waiting, oldest, kinds = 0, [], []
    for label, qs, column in _due((now or timezone.now()) - LATE):
        found = qs.aggregate(n=Count("pk"), oldest=Min(column))
        if found["n"]:
            waiting += found["n"]
            oldest.append(found["oldest"])
            kinds.append(label)
    return WorkerBacklog(waiting=waiting, since=min(oldest) if oldest else None, kinds=tuple(kinds))


def worker_lag(*, now: datetime | None = None) -> float:
    """Seconds the oldest due item of any kind has waited for the worker (0 when nothing is due): the health check's
    view, the same work as the banner's."""
    now = now or timezone.now()
    oldest = [qs.aggregate(t=Min(column))["t"] for _, qs, column in _due(now)]
    return max([(now - t).total_seconds() for t in oldest if t is not None], default=0.0)
