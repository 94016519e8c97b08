"""The programme's follow-up: dashboard of the laureates, money per région, payments export for the finance
service, indicators aggregated (charts with their tables), open data. Constant queries whatever the size."""

from __future__ import annotations

import csv
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from fabriques.calls.models import Call
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.exports.formulas import text_cell_safe
from fabriques.followup import domain, queries, rules
from fabriques.followup.enums import AgreementState, TrancheState
from fabriques.followup.opendata import COLUMNS, opendata_rows
from fabriques.followup.opendata_schema import datapackage
from fabriques.formatting import euros
from fabriques.territory.enums import REGION_NAMES
from fabriques.theme.charts import bar_chart

PAGE_SIZE = 100


def _call(request, call_slug, *, manage=False) -> Call:
    call = get_object_or_404(Call.objects.filter(followup_settings__isnull=False), slug=call_slug)
    allowed = rules.can_manage_programme if manage else rules.can_view_programme
    if not allowed(request.user, call):
        raise PermissionDenied("Le suivi de cet appel est réservé à ses agents.")
    return call


def _filters(request) -> queries.ProgrammeFilters:
    get = request.GET
    return queries.ProgrammeFilters(state=get.get("etat", ""), region=get.get("region", "")[:3],
                                    track=get.get("entree", "")[:40], late=get.get("retard") == "1",
                                    sort=get.get("tri", "deadline"))


@login_required
def programme(request, call_slug):
    call = _call(request, call_slug)
    filters = _filters(request)
    agreements = rules.agreements_for_agent(request.user).filter(call=call)
    page = Paginator(queries.programme_rows(agreements, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    late = queries.late_counts([a.pk for a in page])
    for agreement in page:
        agreement.reports_late = late.get(agreement.pk, 0)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "followup/programme.html", {
        "call": call, "page": page, "filters": filters, "states": AgreementState.choices,
        "regions": sorted(REGION_NAMES.items(), key=lambda kv: kv[1]), "tracks": call.tracks.all(),
        "total": queries.money_by(agreements, None), "by_region": queries.money_by(
            agreements, "dossier__place_commune__region_code"),
        "can_manage": rules.can_manage_programme(request.user, call), "query": query.urlencode(),
        "euros": euros, "today": timezone.localdate(), "region_names": REGION_NAMES,
        "without_agreement": _laureates_without_agreement(call),
    })


def _laureates_without_agreement(call) -> int:
    return Dossier.objects.filter(wave__call=call, state=DossierState.LAUREATE, agreement__isnull=True,
                                  decision__applied_at__isnull=False).count()


@login_required
@require_POST
def generate(request, call_slug):
    call = _call(request, call_slug, manage=True)
    count = domain.agreements_generate(call=call, by=request.user)
    messages.success(request, f"{count} convention{'s' if count > 1 else ''} préparée{'s' if count > 1 else ''}.")
    return redirect("followup:programme", call.slug)


@login_required
@require_POST
def payments_request(request, call_slug):
    call = _call(request, call_slug, manage=True)
    count = domain.tranches_request_payment(call=call, by=request.user)
    messages.success(request, f"{count} tranche{'s' if count > 1 else ''} mise{'s' if count > 1 else ''} en paiement.")
    return redirect("followup:programme", call.slug)


PAYMENT_HEADER = ["SIRET", "Raison sociale", "Montant (€)", "Référence de la convention", "Tranche", "État",
                  "Dossier"]
STATE_LABELS = dict(TrancheState.choices)


@login_required
def payments_export(request, call_slug, fmt):
    """« Mise en paiement »: one line per tranche due or requested (SIRET, legal name, amount, reference, number)."""
    call = _call(request, call_slug, manage=True)
    rows = [[siret, name, amount, ref, number, STATE_LABELS[state], dossier]
            for siret, name, amount, ref, number, state, dossier in queries.payments_rows(call)]
    filename = f"mise-en-paiement-{call.slug}-{timezone.localdate():%Y%m%d}"
    return _table_response(PAYMENT_HEADER, rows, fmt, filename)


def _table_response(header, rows, fmt, filename) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("Format inconnu : csv ou xlsx")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([text_cell_safe(v) if isinstance(v, str) else v for v in row] for row in rows)
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


DASHBOARD_HEADER = ["Convention", "Dossier", "Organisation", "État", "Engagé (€)", "Payé (€)", "Reste (€)",
                    "Comptes rendus reçus", "Comptes rendus en retard", "Prochaine échéance"]


@login_required
def programme_export(request, call_slug, fmt):
    call = _call(request, call_slug)
    agreements = rules.agreements_for_agent(request.user).filter(call=call)
    rows = [[r["agreement"], r["dossier"], r["organisation"], AgreementState(r["state"]).label, r["committed_eur"],
             r["paid_eur"], r["remaining_eur"], r["reports_received"], r["reports_late"], r["next_deadline"] or ""]
            for r in queries.status_rows(agreements)]
    return _table_response(DASHBOARD_HEADER, rows, fmt, f"suivi-{call.slug}-{timezone.localdate():%Y%m%d}")


@login_required
def indicators(request, call_slug):
    call = _call(request, call_slug)
    year = request.GET.get("annee", "")
    year = int(year) if year.isdigit() and int(year) < 100 else None
    track, region = request.GET.get("entree", "")[:40], request.GET.get("region", "")[:3]
    totals = queries.indicator_totals(call, year=year, track=track, region=region)
    charts = []
    for indicator in queries.indicators_of(call):
        if indicator.kind == "text":
            continue
        rows = [r for r in totals if r["code"] == indicator.code]
        if indicator.kind == "choice":
            items = [(f"Année {r['year']} — {r['choice']}", float(r["total"])) for r in rows]
            unit = "lauréats"
        else:
            items = [(f"Année {r['year']}", float(r["total"] or 0)) for r in rows]
            unit = indicator.unit
        charts.append({"chart": bar_chart(f"ind-{indicator.code}", indicator.label, items, unit=unit),
                       "laureates": [(f"Année {r['year']}" + (f" — {r['choice']}" if r["choice"] else ""),
                                      r["laureates"]) for r in rows]})
    return render(request, "followup/indicators.html", {
        "call": call, "charts": charts, "year": year, "track": track, "region": region,
        "tracks": call.tracks.all(), "regions": sorted(REGION_NAMES.items(), key=lambda kv: kv[1]),
        "years": [r["year"] for r in call.followup_settings.reports],
    })


@cache_control(public=True, max_age=300)
def opendata_csv(request, call_slug):
    call = get_object_or_404(Call.objects.filter(followup_settings__isnull=False), slug=call_slug)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(opendata_rows(call))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="indicateurs-{call.slug}.csv"'
    return response


@cache_control(public=True, max_age=300)
def opendata_datapackage(request, call_slug):
    from django.urls import reverse

    call = get_object_or_404(Call.objects.filter(followup_settings__isnull=False), slug=call_slug)
    base = request.build_absolute_uri("/").rstrip("/")
    package = datapackage(call=call, base=base, csv_path=reverse("followup:opendata-csv", args=[call.slug]))
    return JsonResponse(json.loads(json.dumps(package)), json_dumps_params={"ensure_ascii": False, "indent": 2})
