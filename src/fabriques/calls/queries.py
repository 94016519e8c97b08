"""Reads of calls, shaped for the pages and the API with a fixed number of queries."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from fabriques.calls.models import Call, Criterion, Track, Wave


def calls_with_waves() -> QuerySet[Call]:
    """All calls with their waves and tracks prefetched (3 queries whatever the count)."""
    return Call.objects.prefetch_related(
        Prefetch("waves", queryset=Wave.objects.order_by("opens_at")),
        Prefetch("tracks", queryset=Track.objects.order_by("position")),
    )


def open_waves(at=None) -> QuerySet[Wave]:
    now = at or timezone.now()
    return Wave.objects.filter(opens_at__lte=now, closes_at__gt=now).select_related("call")


def call_full(slug: str) -> Call:
    """One call with everything the public page and the API show, in a fixed number of queries."""
    return Call.objects.prefetch_related(
        Prefetch("waves", queryset=Wave.objects.order_by("opens_at")),
        Prefetch("tracks", queryset=Track.objects.order_by("position").prefetch_related("rules")),
        Prefetch(
            "criteria",
            queryset=Criterion.objects.order_by("position").prefetch_related("references", "tracks"),
        ),
        "attachments__tracks",
        "legal_forms",
        "targets__track",
    ).get(slug=slug)
