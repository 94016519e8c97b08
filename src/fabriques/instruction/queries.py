"""Reads for the agents' dashboard: one scoped, filtered, sorted, paginated query."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.paginator import Page, Paginator
from django.db.models import Aggregate, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from fabriques.calls.models import Wave
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.instruction.eligibility import (
    Eligibility,
    eligibility_condition,
    eligibility_expression,
    eligibility_reason_expression,
)
from fabriques.instruction.enums import ComplementState
from fabriques.instruction.models import ComplementRequest, DashboardPreference, DossierFollow, Label
from fabriques.instruction.rules import dossiers_for_instruction
from fabriques.theme import streaming

# Column key -> (label, ORDER BY expression). Numbers are numeric columns, so they sort as numbers.
COLUMNS: dict[str, tuple[str, str]] = {
    "reference": ("Référence", "reference"),
    "place": ("Lieu", "place_name"),
    "organisation": ("Organisation", "organisation__name"),
    "track": ("Entrée", "track__position"),
    "wave": ("Vague", "wave__opens_at"),
    "region": ("Région", "place_commune__region_code"),
    "commune": ("Commune", "place_commune__name"),
    "state": ("État", "state"),
    "eligibility": ("Éligibilité", "eligibility"),  # the settled truth (`instruction.eligibility`), an alias
    "completeness": ("Complétude", "instruction__checklist_status"),
    "group": ("Groupe", "instruction__group__name"),
    "assigned": ("Attribué à", "instruction__assigned_to__email"),
    "amount": ("Montant demandé", "amount_requested_eur"),
    "evaluations": ("Évaluations", "score__n_evaluations"),
    "score": ("Note pondérée", "score__weighted"),
    "calibrated": ("Note calibrée", "score__calibrated"),
    "spread": ("Écart", "score__spread"),
    "deposited": ("Déposé le", "last_deposited_at"),
    "labels": ("Étiquettes", "first_label"),  # sorted by the first label alphabetically (`_first_label`)
}
DEFAULT_COLUMNS = ["reference", "place", "track", "region", "state", "eligibility", "amount", "score", "deposited"]
PAGE_SIZE = 50
# Rows per page an agent may choose (remembered with the columns); "all" streams every row (`dashboard_all`).
PAGE_SIZES: dict[str, str] = {"50": "50", "100": "100", "250": "250", "all": "Tous"}


@dataclass(frozen=True)
class DashboardFilters:
    wave: str = ""
    track: str = ""
    state: str = ""
    region: str = ""
    eligibility: str = ""
    completeness: str = ""
    evaluator: str = ""
    score_min: Decimal | None = None
    score_max: Decimal | None = None
    q: str = ""
    complements: str = ""  # "received" (arrived, not yet read) or "awaited"
    followed: bool = False  # « Mes dossiers suivis »: followed by the agent (assigned ones are followed too)
    label: str = ""  # a label's name (`instruction.labels`)
    sort: str = "-deposited"

    @classmethod
    def from_querydict(cls, data) -> DashboardFilters:
        def number(key: str) -> Decimal | None:
            try:
                value = Decimal(data.get(key, "").replace(",", ".")) if data.get(key) else None
            except InvalidOperation:
                return None
            return value if value is not None and value.is_finite() else None  # "NaN", "sNaN", "Infinity"

        sort = data.get("sort", "-deposited")
        if sort.lstrip("-") not in COLUMNS:
            sort = "-deposited"
        return cls(
            wave=data.get("wave", ""),
            track=data.get("track", ""),
            state=data.get("state", ""),
            region=data.get("region", ""),
            eligibility=data.get("eligibility", ""),
            completeness=data.get("completeness", ""),
            evaluator=data.get("evaluator", ""),
            score_min=number("score_min"),
            score_max=number("score_max"),
            q=data.get("q", "").strip()[:100],
            complements=data.get("complements", "") if data.get("complements") in ("received", "awaited") else "",
            followed=data.get("followed") in {"1", "on", "true"},
            label=" ".join(data.get("label", "").split())[:40],
            sort=sort,
        )


# The dashboard's eligibility filter (form value -> `Eligibility` value, or "eligible" for every eligible one).
ELIGIBILITY_FILTERS = {"pass": "eligible", "forced": Eligibility.FORCED.value,  # nosec B105 - a filter value, no secret
                       "manual": Eligibility.PENDING.value, "fail": Eligibility.FAIL.value}
# « À traiter » per wave, in this order: key -> (words for one, words for several, state); the dossiers in
# instruction are split by whether complements arrived that nobody read yet (`complements_unseen`).
TO_DO: dict[str, tuple[str, str, str]] = {
    "to_start": ("à instruire", "à instruire", DossierState.DEPOSITED),
    "in_instruction": ("en instruction", "en instruction", DossierState.IN_INSTRUCTION),
    "complements_in": ("compléments reçus", "compléments reçus", DossierState.IN_INSTRUCTION),
    "complements_out": ("compléments attendus", "compléments attendus", DossierState.COMPLEMENTS_REQUESTED),
    "admissible": ("recevable à affecter", "recevables à affecter", DossierState.ADMISSIBLE),
    "in_evaluation": ("en évaluation", "en évaluation", DossierState.IN_EVALUATION),
    "evaluated": ("évalué, pour le comité", "évalués, pour le comité", DossierState.EVALUATED),
}


@dataclass(frozen=True)
class WaveGroup:
    """A wave's heading on the dashboard: how many filtered dossiers it holds and what is to be done."""

    total: int
    to_do: list[tuple[str, int]]  # (words, count) for each non-empty « à traiter » state, in TO_DO's order


def _evaluations_expected():
    """How many evaluations each dossier of the wave should receive (the wave's setting, 3 by default)."""
    # Through the relation evaluation's WaveEvaluationSettings declares (instruction may not import evaluation).
    per_wave = Wave.objects.filter(pk=OuterRef("wave_id")).values("evaluation_settings__evaluators_per_dossier")
    return Coalesce(Subquery(per_wave[:1]), Value(3))


def _wave_groups(scoped: QuerySet) -> list[tuple[int, WaveGroup]]:
    """Every wave holding filtered dossiers, in the dashboard's order, with its total and « à traiter » counts.

    One GROUP BY (wave, state) over the filtered dossiers (an index-only scan of (wave, state, id) when no filter
    needs another table), and the waves' dates: the page's count, the split of the page between waves and the
    headings all come from it. Only the dossiers in instruction look for unread complements (the state is tested
    first, so the EXISTS runs for them alone).
    """
    rows = scoped.order_by().values("wave_id", "state").annotate(
        n=Count("*"),
        unseen=Count("pk", filter=Q(state=DossierState.IN_INSTRUCTION) & Q(complements_unseen())),
    )
    per_wave: dict[int, dict[str, int]] = {}
    for row in rows:
        counts = per_wave.setdefault(row["wave_id"], {"unseen": 0})
        counts[row["state"]] = row["n"]
        counts["unseen"] += row["unseen"]
    # The waves' opening dates apart (a few rows): joining the wave to every dossier cost a fifth of the GROUP BY.
    opens = dict(Wave.objects.filter(pk__in=per_wave).order_by().values_list("pk", "opens_at")) if per_wave else {}
    groups = []
    for wave_id in sorted(sorted(per_wave), key=lambda w: opens[w], reverse=True):  # newest wave first, then id
        counts = per_wave[wave_id]
        by_key = {key: counts.get(state, 0) for key, (_, _, state) in TO_DO.items()}
        by_key["complements_in"] = counts["unseen"]
        by_key["in_instruction"] -= counts["unseen"]
        total = sum(n for state, n in counts.items() if state != "unseen")
        groups.append((wave_id, WaveGroup(total, [
            (one if by_key[key] == 1 else many, by_key[key]) for key, (one, many, _) in TO_DO.items() if by_key[key]
        ])))
    return groups


def complements_unseen():
    """The dossier holds complements that arrived and no instructor has read yet (their differences page)."""
    return Exists(ComplementRequest.objects.filter(dossier=OuterRef("pk"), state=ComplementState.ANSWERED,
                                                   seen_at__isnull=True))


def _filtered(qs: QuerySet[Dossier], f: DashboardFilters) -> QuerySet[Dossier]:
    exact = {
        "wave__slug": f.wave,
        "track__slug": f.track,
        "state": f.state,
        "place_commune__region_code": f.region,
        "instruction__checklist_status": f.completeness,
    }
    qs = qs.filter(**{k: v for k, v in exact.items() if v}).alias(eligibility=eligibility_expression(),
                                                                   first_label=_first_label())
    if f.label:  # label names are unique per call and a dossier has one call: no duplicate rows
        qs = qs.filter(labels__name=f.label)
    if f.complements == "received":  # « Compléments reçus »: back in instruction with complements not yet read
        qs = qs.filter(complements_unseen(), state=DossierState.IN_INSTRUCTION)
    elif f.complements == "awaited":
        qs = qs.filter(state=DossierState.COMPLEMENTS_REQUESTED)
    # Eligibility as the instruction settled it (one truth): « Éligible » keeps computed, confirmed and forced ones.
    wanted = ELIGIBILITY_FILTERS.get(f.eligibility)
    if wanted:
        qs = qs.filter(eligibility_condition(wanted))
    if f.evaluator:  # through the relation evaluation's Assignment declares (instruction may not import evaluation)
        qs = qs.filter(pk__in=Dossier.objects.filter(assignments__evaluator__email=f.evaluator).values("pk"))
    if f.score_min is not None:
        qs = qs.filter(score__weighted__gte=f.score_min)
    if f.score_max is not None:
        qs = qs.filter(score__weighted__lte=f.score_max)
    if f.q:
        qs = qs.filter(
            Q(reference__icontains=f.q)
            | Q(place_name__icontains=f.q)
            | Q(organisation__name__icontains=f.q)
            | Q(place_commune__name__icontains=f.q)
            | Q(organisation__siret__startswith=f.q)
            | Q(place_commune__code=f.q.upper())  # INSEE code of the place's commune (2A/2B in Corsica)
        )
    return qs


# Columns of the dossier itself, never empty once it is deposited: sorted with a plain direction and the id as
# tie-break in the same direction, so that one (wave, column, id) index serves both (read backwards for DESC) and
# the first page within a wave reads 50 index entries instead of sorting every row.
INDEXED_SORTS = frozenset({"reference", "place", "state", "amount", "deposited"})


def _ordering(sort: str) -> list:
    key = sort.lstrip("-")
    expression, descending = F(COLUMNS[key][1]), sort.startswith("-")
    if key in INDEXED_SORTS:
        return [expression.desc(), F("pk").desc()] if descending else [expression.asc(), F("pk").asc()]
    return [expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True), F("pk").asc()]


class _NamesJoined(Aggregate):
    """Label names joined by commas, in no set order (a name never holds a comma: `labels.parse_labels` splits on
    them); GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra)


def _label_names() -> Subquery:
    """The dossier's label names, for its « Étiquettes » cell (one sub-query per row, only when the column shows)."""
    links = Label.dossiers.through.objects.filter(dossier_id=OuterRef("pk")).order_by()
    return Subquery(links.values("dossier_id").annotate(names=_NamesJoined("label__name")).values("names"))


def _first_label() -> Subquery:
    """The dossier's first label name alphabetically: what the « Étiquettes » column sorts on (none: last)."""
    links = Label.dossiers.through.objects.filter(dossier_id=OuterRef("pk"))
    return Subquery(links.order_by("label__name").values("label__name")[:1])


def _scoped(user, filters: DashboardFilters) -> QuerySet[Dossier]:
    scoped = dossiers_for_instruction(user)
    if filters.followed:
        scoped = scoped.filter(pk__in=DossierFollow.objects.filter(user=user).values("dossier_id"))
    return _filtered(scoped, filters)


def _dashboard_order(qs: QuerySet, sort: str) -> QuerySet:
    """Grouped by wave, newest first (as `_wave_groups` lists them), then the chosen sort."""
    return qs.order_by(F("wave__opens_at").desc(), "wave_id", *_ordering(sort))


def _ordered_ids(user, filters: DashboardFilters) -> QuerySet:
    """Every filtered dossier in the dashboard's order."""
    return _dashboard_order(_scoped(user, filters), filters.sort)


class _WaveByWave:
    """The ids of the dashboard's order for a page: one query, within the wave the page covers when it covers one.

    Within one wave the order is the chosen sort alone, which the dossiers' (wave, column, id) indexes serve: the
    first page reads 50 index entries instead of sorting every row. The waves' totals (`_wave_groups`) tell which
    waves and which offsets a page covers; a page across a wave boundary reads the whole order (still one query).
    """

    def __init__(self, scoped: QuerySet, sort: str, groups: list[tuple[int, WaveGroup]]):
        self.scoped, self.sort, self.ordering, self.groups = scoped, sort, _ordering(sort), groups

    def count(self) -> int:
        return sum(group.total for _, group in self.groups)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, part: slice) -> list[int]:
        start, stop, before, covered = part.start or 0, part.stop, 0, []
        for wave_id, group in self.groups:
            if before < stop and start < before + group.total:
                covered.append((wave_id, before))
            before += group.total
        if len(covered) == 1:
            wave_id, offset = covered[0]
            ids = self.scoped.filter(wave_id=wave_id).order_by(*self.ordering)
            start, stop = start - offset, stop - offset
        else:
            ids = _dashboard_order(self.scoped, self.sort)
        return list(ids.values_list("pk", flat=True)[start:stop]) if covered else []


def _with_row_data(qs: QuerySet, columns=()) -> QuerySet:
    """What a dashboard row shows: related records in the same query, eligibility and expected evaluations, and the
    labels when their column is shown."""
    qs = qs.select_related(
        "wave", "track", "organisation", "place_commune", "instruction__group", "instruction__assigned_to", "score"
    ).annotate(eligibility=eligibility_expression(), eligibility_reason=eligibility_reason_expression(),
               evaluations_expected=_evaluations_expected())
    return qs.annotate(label_names=_label_names()) if "labels" in columns else qs


@dataclass
class AllRows:
    """Every row of the dashboard at once: the count and wave headings first, then the rows as an iterator."""

    count: int
    wave_groups: dict[int, WaveGroup]
    rows: object  # an iterator of Dossier, fetched ROWS_CHUNK at a time from one query


def dashboard_all(user, filters: DashboardFilters, columns=()) -> AllRows:
    """Every filtered row in the dashboard's order: two queries whatever the number of rows.

    One GROUP BY for the count and the wave headings, and one SELECT read through a cursor in chunks (a server-side
    cursor on PostgreSQL), so memory stays flat and the first rows leave before the last are read.
    """
    groups = _wave_groups(_scoped(user, filters))
    rows = _with_row_data(_ordered_ids(user, filters), columns).iterator(chunk_size=streaming.ROWS_CHUNK)
    return AllRows(sum(group.total for _, group in groups), dict(groups), rows)


def page_size_for(user) -> str:
    pref = DashboardPreference.objects.filter(user=user).only("page_size").first()
    return pref.page_size if pref and pref.page_size in PAGE_SIZES else "50"


def dashboard_page(user, filters: DashboardFilters, page_number, per_page: int = PAGE_SIZE, columns=()) -> Page:
    """The page of dossiers the agent may see, filtered and sorted; three queries whatever the number of rows.

    One GROUP BY gives each wave's total and headings (hence the count), then the page's ids are read within the
    wave(s) it covers through the dossiers' indexes, then the rows are loaded with their related records (deferred
    join: sorting wide rows was the dashboard's cost).
    """
    scoped = _scoped(user, filters)
    groups = _wave_groups(scoped)
    page = Paginator(_WaveByWave(scoped, filters.sort, groups), per_page).get_page(page_number)
    wanted = list(page.object_list)
    rows = _with_row_data(Dossier.objects.filter(pk__in=wanted), columns)
    by_id = {d.pk: d for d in rows}
    page.object_list = [by_id[pk] for pk in wanted if pk in by_id]
    on_page = {d.wave_id for d in page.object_list}
    page.wave_groups = {wave_id: group for wave_id, group in groups if wave_id in on_page}
    return page


def columns_for(user) -> list[str]:
    pref = DashboardPreference.objects.filter(user=user).first()
    chosen = [c for c in (pref.columns if pref else DEFAULT_COLUMNS) if c in COLUMNS]
    return chosen or DEFAULT_COLUMNS
