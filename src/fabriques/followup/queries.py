"""Reads of the follow-up that views, the API, exports and the command chain. List reads run a constant number of
queries whatever the number of laureates: figures are annotated sub-queries, never computed per row in Python."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from fabriques.calls.calendar import CalendarEvent
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.dossiers.queries import dossiers_visible_to
from fabriques.followup.enums import APPLICANT_EDITABLE_REPORT_STATES, AgreementState, ReportState, TrancheState
from fabriques.followup.models import Agreement, Indicator, IndicatorValue, Report, Tranche
from fabriques.territory.enums import REGION_NAMES


def _report_count(condition: Q) -> Coalesce:
    rows = (Report.objects.filter(condition, agreement=OuterRef("pk")).order_by().values("agreement")
            .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_money(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Committed and remaining from the stored figures (see `domain.figures_refresh`): no sub-query."""
    return agreements.annotate(committed_eur=F("amount_eur") - F("cancelled_eur"),
                               remaining_eur=F("amount_eur") - F("cancelled_eur") - F("paid_eur"))


def with_figures(agreements: QuerySet[Agreement], *, today: dt.date | None = None) -> QuerySet[Agreement]:
    """Stored figures plus the reports due within 60 days and late today (two counted sub-queries, same query);
    for the API and the command. The dashboard reads the stored figures only (`programme_rows`)."""
    today = today or timezone.localdate()
    open_reports = Q(state__in=APPLICANT_EDITABLE_REPORT_STATES, agreement__state=AgreementState.IN_FORCE)
    return with_money(agreements).annotate(
        reports_due=_report_count(open_reports & Q(due_on__lte=today + dt.timedelta(days=60))),
        reports_late=_report_count(open_reports & Q(due_on__lt=today)),
        next_deadline=F("next_due_on"),
    )


SORTS = {
    "reference": ("reference",), "organisation": ("dossier__organisation__name", "reference"),
    "state": ("state", "reference"), "paid": ("-paid_eur", "reference"), "remaining": ("-remaining_eur", "reference"),
    "deadline": (F("next_due_on").asc(nulls_last=True), "reference"),
    "late": (F("next_due_on").asc(nulls_last=True), "reference"),  # the most overdue first
}


@dataclass(frozen=True)
class ProgrammeFilters:
    state: str = ""
    region: str = ""
    track: str = ""
    late: bool = False
    sort: str = "deadline"


def programme_rows(agreements: QuerySet[Agreement], filters: ProgrammeFilters,
                   today: dt.date | None = None) -> QuerySet[Agreement]:
    """The dashboard's rows from the stored figures: one plain query, whatever the number of laureates."""
    today = today or timezone.localdate()
    rows = with_money(agreements.select_related("dossier__organisation", "dossier__track",
                                                "dossier__place_commune"))
    if filters.state in AgreementState.values:
        rows = rows.filter(state=filters.state)
    if filters.region:
        rows = rows.filter(dossier__place_commune__region_code=filters.region)
    if filters.track:
        rows = rows.filter(dossier__track__slug=filters.track)
    if filters.late:
        rows = rows.filter(next_due_on__lt=today)
    return rows.only(
        "uuid", "reference", "state", "amount_eur", "paid_eur", "cancelled_eur", "reports_received", "next_due_on",
        "call_id", "dossier__reference", "dossier__organisation__name", "dossier__track__short_title",
        "dossier__place_commune__region_code", "dossier__place_name",
    ).order_by(*SORTS.get(filters.sort, SORTS["deadline"]))


def late_counts(agreement_ids: list[int], today: dt.date | None = None) -> dict[int, int]:
    """Late reports of the agreements shown on a page (one grouped query)."""
    today = today or timezone.localdate()
    rows = (Report.objects.filter(agreement_id__in=agreement_ids, state__in=APPLICANT_EDITABLE_REPORT_STATES,
                                  agreement__state=AgreementState.IN_FORCE, due_on__lt=today)
            .order_by().values("agreement_id").annotate(n=Count("pk")))
    return {r["agreement_id"]: r["n"] for r in rows}


def money_by(agreements: QuerySet[Agreement], key: str | None) -> list[dict]:
    """Laureates, committed, paid, remaining grouped by `key` (None: the whole set), in one GROUP BY query."""
    figures = {"laureates": Count("pk"), "committed": Sum(F("amount_eur") - F("cancelled_eur")),
               "paid": Sum("paid_eur"), "remaining": Sum(F("amount_eur") - F("cancelled_eur") - F("paid_eur"))}
    if key:
        rows = agreements.order_by().values(key).annotate(**figures)
    else:
        rows = [agreements.order_by().aggregate(**figures)]
    out = []
    for r in rows:
        value = r[key] if key else ""
        if key == "dossier__place_commune__region_code":
            label = REGION_NAMES.get(value, value or "Non renseignée")
        else:
            label = value or "Ensemble"
        out.append({"key": value or "", "label": label, "laureates": r["laureates"],
                    "committed_eur": r["committed"] or 0, "paid_eur": r["paid"] or 0,
                    "remaining_eur": r["remaining"] or 0})
    return sorted(out, key=lambda r: r["label"])


def payments_rows(call, *, states=(TrancheState.DUE, TrancheState.REQUESTED)) -> QuerySet[Tranche]:
    """« Mise en paiement »: one line per tranche to pay, for the finance service."""
    return (Tranche.objects.filter(agreement__call=call, state__in=states,
                                   agreement__state__in=(AgreementState.SIGNED, AgreementState.IN_FORCE))
            .order_by("agreement__reference", "number")
            .values_list("agreement__dossier__organisation__siret", "agreement__dossier__organisation__name",
                         "amount_eur", "agreement__reference", "number", "state", "agreement__dossier__reference"))


def indicator_totals(call, *, year: int | None = None, track: str = "", region: str = "") -> list[dict]:
    """Indicators of accepted reports summed per (year, indicator) with the number of laureates who gave a value:
    one GROUP BY query. Choices are counted per value; texts are never aggregated (they may name people)."""
    values = IndicatorValue.objects.filter(report__agreement__call=call, report__state=ReportState.ACCEPTED)
    if year:
        values = values.filter(report__year=year)
    if track:
        values = values.filter(report__agreement__dossier__track__slug=track)
    if region:
        values = values.filter(report__agreement__dossier__place_commune__region_code=region)
    rows = (values.exclude(indicator__kind="text").order_by()
            .values("report__year", "indicator__code", "indicator__label", "indicator__unit", "indicator__kind",
                    "indicator__position", "text")
            .annotate(total_int=Sum("number_int"), total_dec=Sum("number_dec", output_field=DecimalField()),
                      laureates=Count("report__agreement", distinct=True)))
    out = []
    for r in rows:
        total = r["total_int"] if r["total_int"] is not None else r["total_dec"]
        choice = r["indicator__kind"] == "choice"
        out.append({"year": r["report__year"], "code": r["indicator__code"], "label": r["indicator__label"],
                    "unit": r["indicator__unit"], "kind": r["indicator__kind"],
                    "position": r["indicator__position"], "choice": r["text"] if choice else "",
                    "total": r["laureates"] if choice else total, "laureates": r["laureates"]})
    return sorted(out, key=lambda r: (r["year"], r["position"], r["choice"]))


def indicator_breakdown(call, *, by: str) -> list[dict]:
    """Numeric indicators of accepted reports summed per year and track or région (open data rows), one query."""
    key = {"track": "report__agreement__dossier__track__slug",
           "region": "report__agreement__dossier__place_commune__region_code"}[by]
    rows = (IndicatorValue.objects.filter(report__agreement__call=call, report__state=ReportState.ACCEPTED,
                                          indicator__kind__in=("integer", "decimal", "money")).order_by()
            .values("report__year", key, "indicator__code", "indicator__unit")
            .annotate(total_int=Sum("number_int"), total_dec=Sum("number_dec", output_field=DecimalField()),
                      laureates=Count("report__agreement", distinct=True)))
    return [{"year": r["report__year"], "key": r[key] or "", "code": r["indicator__code"],
             "unit": r["indicator__unit"], "laureates": r["laureates"],
             "total": r["total_int"] if r["total_int"] is not None else r["total_dec"]} for r in rows]


def indicators_of(call) -> list[Indicator]:
    return list(Indicator.objects.filter(call=call).order_by("position"))


def status_rows(agreements: QuerySet[Agreement]) -> list[dict]:
    """Per agreement, what the dashboard export prints (one query)."""
    rows = with_figures(agreements.select_related("dossier__organisation")).order_by("reference")
    return [_status(a.dossier, a) for a in rows]


def _status(dossier, a, amount: int | None = None) -> dict:
    if a is None:
        return {"agreement": None, "dossier": dossier.reference, "organisation": dossier.organisation.name,
                "state": None, "committed_eur": amount or 0, "paid_eur": 0, "remaining_eur": amount or 0,
                "reports_due": 0, "reports_received": 0, "reports_late": 0, "next_deadline": None}
    return {
        "agreement": a.reference, "dossier": dossier.reference, "organisation": dossier.organisation.name,
        "state": a.state, "committed_eur": a.committed_eur, "paid_eur": a.paid_eur,
        "remaining_eur": a.remaining_eur, "reports_due": a.reports_due, "reports_received": a.reports_received,
        "reports_late": a.reports_late, "next_deadline": a.next_deadline.isoformat() if a.next_deadline else None,
    }


def call_status(call) -> dict:
    """Every laureate of the call (applied decision) with its agreement's figures, and the totals (two queries).
    A laureate without agreement yet counts its granted amount as committed and remaining."""
    agreements = {a.dossier_id: a for a in with_figures(Agreement.objects.filter(call=call))}
    laureates = (Dossier.objects.filter(wave__call=call, state=DossierState.LAUREATE)
                 .select_related("organisation", "decision").order_by("reference"))
    rows = [_status(d, agreements.get(d.pk), getattr(getattr(d, "decision", None), "amount_eur", 0))
            for d in laureates]
    keys = ("committed_eur", "paid_eur", "remaining_eur", "reports_due", "reports_received", "reports_late")
    totals = {k: sum(r[k] for r in rows) for k in keys}
    return {"call": call.slug, "laureates": rows, "totals": {"laureates": len(rows), **totals}}


def report_calendar_events(*, call, user) -> list[CalendarEvent]:
    """The due dates of the reports still owed by the laureates this person writes for (none in the public feed);
    registered as a source of the calls' feeds (calls.calendar.event_source_register) in the app's ready()."""
    if user is None:
        return []
    reports = (Report.objects.filter(agreement__call=call, agreement__dossier__in=dossiers_visible_to(user),
                                     state__in=[ReportState.TO_FILL, ReportState.CHANGES_REQUESTED])
               .select_related("agreement").order_by("due_on"))
    return [CalendarEvent(uid=f"report-{report.uuid}", title=f"{report.label} à rendre — {report.agreement.reference}",
                          on=report.due_on, path=reverse("followup:report", kwargs={"uuid": report.uuid}),
                          description=f"Compte rendu de l’année {report.year} de la convention "
                                      f"{report.agreement.reference}, à déposer au plus tard ce jour.")
            for report in reports]
