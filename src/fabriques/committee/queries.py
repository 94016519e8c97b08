"""Reads for the committee pages: ranked candidates a page at a time, funding line, totals, decisions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from fabriques.calls.models import Criterion
from fabriques.committee.candidates import amounts_of, candidate_scope, with_flags
from fabriques.committee.enums import Outcome
from fabriques.committee.models import Decision, Scenario
from fabriques.dossiers.models import Dossier
from fabriques.instruction.eligibility import Eligibility, eligibility_of
from fabriques.instruction.queries import PAGE_SIZES  # the dashboard's choices: 50, 100, 250, « Tous »
from fabriques.theme import streaming

__all__ = ["PAGE_SIZES"]
# What a ranking row shows, and nothing more: no JSON or long text of the dossier (answers live in other tables).
ROW_FIELDS = ("pk", "uuid", "reference", "place_name", "amount_requested_eur", "eligibility_status", "track",
              "track__short_title", "place_commune", "place_commune__region_code", "score__weighted",
              "score__calibrated", "score__band_low", "score__band_high", "score__disagreement",
              "score__below_threshold")


@dataclass
class Row:
    dossier: object
    rank: int
    score: float | None
    raw: float | None
    band: tuple[float | None, float | None]
    amount: int
    chosen: bool
    by_rank: bool
    flags: list[str] = field(default_factory=list)
    pin: object | None = None


@dataclass
class Session:
    rows: Iterable[Row]  # the page's rows, or (« Tous ») an iterator over every candidate, read in chunks
    scenario: Scenario | None
    funding_line: float | None
    budget_used: int
    envelope: int
    crossing: int
    count: int  # every candidate of the wave, whatever the page shows
    page: Page | None = None


def _main_score(calibrated: bool):
    """The score the ranking uses, in SQL: the calibrated one when asked and known, else the weighted mean."""
    return Coalesce(F("score__calibrated"), F("score__weighted")) if calibrated else F("score__weighted")


def _ranked(wave, calibrated: bool) -> QuerySet[Dossier]:
    """The candidates in rank order: best score first, unscored last, ties by id (as the solver's list)."""
    return candidate_scope(wave).alias(main=_main_score(calibrated)).order_by(F("main").desc(nulls_last=True), "pk")


def _row_data(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return with_flags(dossiers.select_related("track", "place_commune", "score").only(*ROW_FIELDS))


class _Ranker:
    """Builds the ranking's rows from dossiers read in rank order, against one scenario's result."""

    def __init__(self, wave, scenario: Scenario | None, *, line: float | None, pins: dict, overrides: dict):
        result = scenario.result if scenario else {}
        self.chosen = {int(i) for i in result.get("chosen", [])}
        self.baseline = {int(i) for i in (result.get("baseline") or {}).get("chosen", [])}
        self.amounts = amounts_of(result)
        self.calibrated = scenario.use_calibrated if scenario else True
        self.titles = dict(Criterion.objects.filter(call_id=wave.call_id).values_list("code", "title"))
        self.line, self.pins, self.overrides = line, pins, overrides

    def rows(self, dossiers: Iterable, first_rank: int) -> Iterator[Row]:
        for rank, d in enumerate(dossiers, start=first_rank):
            s = getattr(d, "score", None)
            main = raw = None
            band = (None, None)
            if s is not None:
                main = s.calibrated if self.calibrated and s.calibrated is not None else s.weighted
                raw, band = s.weighted, (s.band_low, s.band_high)
            yield Row(dossier=d, rank=rank, score=main, raw=raw, band=band,
                      amount=self.amounts.get(d.pk, self.overrides.get(d.pk, d.amount_requested_eur)),
                      chosen=d.pk in self.chosen, by_rank=d.pk in self.baseline, flags=self._flags(d, s, band),
                      pin=self.pins.get(d.pk))

    def _flags(self, d, s, band) -> list[str]:
        flags = []
        if getattr(d, "eligibility", "") == Eligibility.FORCED:
            flags.append(eligibility_of(d).text)  # « Éligibilité forcée : <motif> », as on every page
        elif getattr(d, "eligibility_overridden", False):
            flags.append("Dérogation à un point de recevabilité non conforme")
        if s is not None and s.disagreement:
            flags.append("Désaccord entre évaluateurs")
        if s is not None and s.below_threshold:
            flags.append("Sous le seuil : " + ", ".join(self.titles.get(code, code) for code in s.below_threshold))
        if self._crosses(band):
            flags.append("Incertitude à cheval sur la ligne de financement")
        return flags

    def _crosses(self, band) -> bool:
        return self.line is not None and band[0] is not None and band[1] is not None and band[0] <= self.line <= band[1]


def _totals(wave, scenario: Scenario | None, calibrated: bool) -> tuple[int, float | None, int]:
    """Over every candidate, in SQL: their number, the funding line (lowest score chosen), how many straddle it.

    The line first, from the chosen rows alone (reached by primary key), then one pass over the wave counts both.
    """
    chosen = [int(i) for i in (scenario.result if scenario else {}).get("chosen", [])]
    scope = candidate_scope(wave)
    line = scope.filter(pk__in=chosen).aggregate(line=Min(_main_score(calibrated)))["line"] if chosen else None
    figures = {"count": Count("pk")}
    if line is not None:
        figures["crossing"] = Count("pk", filter=Q(score__band_low__lte=line, score__band_high__gte=line))
    totals = scope.aggregate(**figures)
    return totals["count"], line, totals.get("crossing", 0)


def session(wave, scenario: Scenario | None, *, page_size: str = "50", page_number=None) -> Session:
    """The ranked candidates of the wave against a scenario's result, a page at a time or (« all ») every one.

    A fixed number of queries whatever the number of candidates: the totals (count, funding line, crossings) in
    SQL over the whole wave, then the page's ids in rank order, then those rows with only the columns shown, their
    pins and adjusted amounts. « all »: the rows come from one query read through a cursor ROWS_CHUNK at a time.
    """
    calibrated = scenario.use_calibrated if scenario else True
    count, line, crossing = _totals(wave, scenario, calibrated)
    result = scenario.result if scenario else {}
    common = {"scenario": scenario, "funding_line": line, "budget_used": result.get("budget_used", 0),
              "envelope": scenario.envelope_eur if scenario else (wave.envelope_eur or 0), "crossing": crossing,
              "count": count}
    if page_size == "all":
        pins = {p.dossier_id: p for p in scenario.pins.all()} if scenario else {}
        overrides = dict(scenario.amounts.values_list("dossier_id", "amount_eur")) if scenario else {}
        ranker = _Ranker(wave, scenario, line=line, pins=pins, overrides=overrides)
        everything = _row_data(_ranked(wave, calibrated)).iterator(chunk_size=streaming.ROWS_CHUNK)
        return Session(rows=ranker.rows(everything, 1), **common)
    paginator = Paginator(_ranked(wave, calibrated).values_list("pk", flat=True), int(page_size))
    paginator.count = count  # known from the totals: no second COUNT
    page = paginator.get_page(page_number)
    wanted = list(page.object_list)
    by_id = {d.pk: d for d in _row_data(Dossier.objects.filter(pk__in=wanted))}
    pins = {p.dossier_id: p for p in scenario.pins.filter(dossier_id__in=wanted)} if scenario else {}
    overrides = (dict(scenario.amounts.filter(dossier_id__in=wanted).values_list("dossier_id", "amount_eur"))
                 if scenario else {})
    ranker = _Ranker(wave, scenario, line=line, pins=pins, overrides=overrides)
    rows = list(ranker.rows((by_id[pk] for pk in wanted if pk in by_id), page.start_index() if wanted else 1))
    page.object_list = rows
    return Session(rows=rows, page=page, **common)


# The decisions in reading order: laureates, the waiting list by rank, then the others; by reference within.
_OUTCOME_ORDER = Case(When(outcome=Outcome.LAUREATE, then=Value(0)), When(outcome=Outcome.WAITING_LIST, then=Value(1)),
                      default=Value(2), output_field=IntegerField())


@dataclass
class Decisions:
    rows: Iterable[Decision]  # the page's decisions, or (« Tous ») an iterator over every one
    count: int
    staged: int  # not yet applied, over the whole wave
    granted: int  # euros granted to the laureates, over the whole wave
    page: Page | None = None


def decisions(wave, *, page_size: str = "50", page_number=None) -> Decisions:
    """The wave's decisions a page at a time (or all, through a cursor); totals in one aggregate over the wave."""
    scope = Decision.objects.filter(dossier__wave=wave)
    totals = scope.aggregate(count=Count("pk"), staged=Count("pk", filter=Q(applied_at__isnull=True)),
                             granted=Sum("amount_eur", filter=Q(outcome=Outcome.LAUREATE)))
    ordered = (
        scope.select_related("dossier")
        .only("pk", "outcome", "amount_eur", "waiting_rank", "reasons", "applied_at", "dossier__reference",
              "dossier__place_name")
        .order_by(_OUTCOME_ORDER, Coalesce("waiting_rank", 0), "dossier__reference", "pk")
    )
    common = {"count": totals["count"], "staged": totals["staged"], "granted": totals["granted"] or 0}
    if page_size == "all":
        return Decisions(rows=ordered.iterator(chunk_size=streaming.ROWS_CHUNK), **common)
    paginator = Paginator(ordered, int(page_size))
    paginator.count = totals["count"]
    page = paginator.get_page(page_number)
    return Decisions(rows=page.object_list, page=page, **common)
