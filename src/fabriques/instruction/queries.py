"""Reads for the agents' dashboard: one scoped, filtered, sorted, paginated query."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from fabriques.dossiers.models import Dossier
from fabriques.instruction.enums import CheckItem, CheckStatus
from fabriques.instruction.models import AdmissibilityCheck, DashboardPreference
from fabriques.instruction.rules import dossiers_for_instruction

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
    "eligibility": ("Éligibilité", "eligibility_status"),
    "completeness": ("Complétude", "instruction__checklist_status"),
    "group": ("Groupe", "instruction__group__name"),
    "amount": ("Montant demandé", "amount_requested_eur"),
    "evaluations": ("Évaluations", "score__n_evaluations"),
    "score": ("Note pondérée", "score__weighted"),
    "calibrated": ("Note calibrée", "score__calibrated"),
    "spread": ("Écart", "score__spread"),
    "deposited": ("Déposé le", "last_deposited_at"),
}
DEFAULT_COLUMNS = ["reference", "place", "track", "region", "state", "eligibility", "amount", "score", "deposited"]
PAGE_SIZE = 50


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
            sort=sort,
        )


def _location_confirmed():
    """The instructor confirmed the location line by hand (a « À vérifier » eligibility settled as eligible)."""
    return Exists(AdmissibilityCheck.objects.filter(
        instruction__dossier=OuterRef("pk"), item=CheckItem.LOCATION, status=CheckStatus.MANUAL,
        overrides_failure=False,
    ))


def _filtered(qs: QuerySet[Dossier], f: DashboardFilters) -> QuerySet[Dossier]:
    exact = {
        "wave__slug": f.wave,
        "track__slug": f.track,
        "state": f.state,
        "place_commune__region_code": f.region,
        "instruction__checklist_status": f.completeness,
    }
    qs = qs.filter(**{k: v for k, v in exact.items() if v})
    # Eligibility as the instructor settled it: a « manual » result confirmed by hand counts as eligible.
    if f.eligibility == "pass":
        qs = qs.filter(Q(eligibility_status="pass") | Q(eligibility_status="manual") & _location_confirmed())
    elif f.eligibility == "manual":
        qs = qs.filter(eligibility_status="manual").exclude(_location_confirmed())
    elif f.eligibility:
        qs = qs.filter(eligibility_status=f.eligibility)
    if f.evaluator:
        from fabriques.evaluation.models import Assignment

        qs = qs.filter(pk__in=Assignment.objects.filter(evaluator__email=f.evaluator).values("dossier_id"))
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


def dashboard_page(user, filters: DashboardFilters, page_number) -> Page:
    """The page of dossiers the agent may see, filtered and sorted; three queries whatever the number of rows.

    Deferred join: the filter, sort and LIMIT run on ids only (count, then one page of ids), and the
    50 rows are loaded afterwards with their related records; sorting wide rows was the dashboard's cost.
    """
    key = filters.sort.lstrip("-")
    expression = F(COLUMNS[key][1])
    ordering = expression.desc(nulls_last=True) if filters.sort.startswith("-") else expression.asc(nulls_last=True)
    ids = _filtered(dossiers_for_instruction(user), filters).order_by(ordering, "pk").values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(page_number)
    wanted = list(page.object_list)
    overridden = AdmissibilityCheck.objects.filter(instruction__dossier=OuterRef("pk"), overrides_failure=True)
    rows = Dossier.objects.filter(pk__in=wanted).select_related(
        "wave", "track", "organisation", "place_commune", "instruction__group", "score"
    ).annotate(eligibility_overridden=Exists(overridden), eligibility_confirmed=_location_confirmed())
    by_id = {d.pk: d for d in rows}
    page.object_list = [by_id[pk] for pk in wanted if pk in by_id]
    return page


def columns_for(user) -> list[str]:
    pref = DashboardPreference.objects.filter(user=user).first()
    chosen = [c for c in (pref.columns if pref else DEFAULT_COLUMNS) if c in COLUMNS]
    return chosen or DEFAULT_COLUMNS
