"""Programme statistics of a call: counts and amounts per wave, track and région, in a constant number of queries.

Counting and summing happen in SQL (one GROUP BY over the call's dossiers); Python only adds up the
few grouped rows into the per-wave, per-track and per-région tables, and takes medians of durations.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from fabriques.calls.enums import TargetKind
from fabriques.dossiers.enums import EVALUATION_STATES, SUBMITTED_STATES, DossierState
from fabriques.dossiers.models import Dossier
from fabriques.territory.enums import REGION_NAMES

S = DossierState
ADMITTED_STATES = EVALUATION_STATES | {S.LAUREATE, S.WAITING_LIST, S.NOT_RETAINED}
LAUREATE = Q(state=S.LAUREATE, decision__applied_at__isnull=False)
METRICS = ("started", "deposited", "admissible", "laureates", "requested_eur", "granted_eur", "rural", "qpv")


@dataclass
class Line:
    key: str
    label: str
    started: int = 0
    deposited: int = 0
    admissible: int = 0
    laureates: int = 0
    requested_eur: int = 0
    granted_eur: int = 0
    rural: int = 0
    qpv: int = 0
    delays: list[float] = field(default_factory=list)

    def add(self, row: dict) -> None:
        for name in METRICS:
            setattr(self, name, getattr(self, name) + (row[name] or 0))

    @property
    def rural_share(self) -> float | None:
        return self.rural / self.laureates if self.laureates else None

    @property
    def qpv_share(self) -> float | None:
        return self.qpv / self.laureates if self.laureates else None

    @property
    def median_days(self) -> float | None:
        return round(statistics.median(self.delays), 1) if self.delays else None


@dataclass
class Target:
    label: str
    value: int
    achieved: int


@dataclass
class CallStats:
    total: Line
    by_wave: list[Line]
    by_track: list[Line]
    by_region: list[Line]
    targets: list[Target]


def _grouped(call) -> list[dict]:
    return list(
        Dossier.objects.filter(wave__call=call)
        .values("wave__slug", "wave__title", "track__slug", "track__title", "place_commune__region_code")
        .annotate(
            started=Count("id"),
            deposited=Count("id", filter=Q(state__in=SUBMITTED_STATES)),
            admissible=Count("id", filter=Q(state__in=ADMITTED_STATES)),
            laureates=Count("id", filter=LAUREATE),
            requested_eur=Sum("amount_requested_eur", filter=Q(state__in=SUBMITTED_STATES)),
            granted_eur=Sum("decision__amount_eur", filter=LAUREATE),
            rural=Count("id", filter=LAUREATE & Q(instruction__is_rural=True)),
            qpv=Count("id", filter=LAUREATE & Q(instruction__is_qpv=True)),
        )
        .order_by()
    )


def _delays(call) -> list[tuple]:
    """(wave, track, région, days from last deposit to the applied decision) of every decided dossier."""
    rows = Dossier.objects.filter(
        wave__call=call, decision__applied_at__isnull=False, last_deposited_at__isnull=False
    ).values_list("wave__slug", "track__slug", "place_commune__region_code", "decision__applied_at",
                  "last_deposited_at")
    return [(w, t, r, (applied - deposited).total_seconds() / 86400) for w, t, r, applied, deposited in rows]


def call_stats(call) -> CallStats:
    """Figures of the call per wave, track and région with its balance targets (four queries whatever the size)."""
    total = Line("total", "Ensemble")
    waves: dict[str, Line] = {}
    tracks: dict[str, Line] = {}
    regions: dict[str, Line] = {}
    for row in _grouped(call):
        region = row["place_commune__region_code"] or ""
        lines = (
            total,
            waves.setdefault(row["wave__slug"], Line(row["wave__slug"], row["wave__title"])),
            tracks.setdefault(row["track__slug"], Line(row["track__slug"], row["track__title"])),
            regions.setdefault(region, Line(region, REGION_NAMES.get(region, "Commune non renseignée"))),
        )
        for line in lines:
            line.add(row)
    for wave, track, region, days in _delays(call):
        for line in (total, waves.get(wave), tracks.get(track), regions.get(region or "")):
            if line is not None:
                line.delays.append(days)
    return CallStats(
        total=total,
        by_wave=list(waves.values()),
        by_track=sorted(tracks.values(), key=lambda x: x.label),
        by_region=sorted(regions.values(), key=lambda x: x.label),
        targets=_targets(call, total, tracks),
    )


def _targets(call, total: Line, tracks: dict[str, Line]) -> list[Target]:
    result = []
    for target in call.targets.select_related("track").filter(
        kind__in=[TargetKind.MIN_RURAL, TargetKind.MIN_QPV, TargetKind.TRACK_COUNT]
    ):
        if target.kind == TargetKind.MIN_RURAL:
            achieved = total.rural
        elif target.kind == TargetKind.MIN_QPV:
            achieved = total.qpv
        else:
            line = tracks.get(target.track.slug) if target.track else None
            achieved = line.laureates if line else 0
        result.append(Target(label=target.label, value=target.value, achieved=achieved))
    return result
