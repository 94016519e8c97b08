"""Rows for the follow-up's volume tests and benchmark: N laureates × 3 years of reports, written with bulk inserts
(the domain path costs seconds per laureate). Used by tests/followup/test_dashboard_queries.py and
bench/followup_dashboard.py."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

STATES = ["draft", "sent", "signed", "in_force", "in_force", "in_force", "in_force", "closed", "terminated"]


def followup_seed(*, call, wave, track, owner, organisation, count: int, seed: int = 1, communes=()) -> int:
    """`count` laureates of `wave` with agreements in every state, tranches and three yearly reports each;
    accepted reports carry a value for every numeric indicator of the track."""
    from fabriques.dossiers.models import Dossier
    from fabriques.followup.models import Agreement, Indicator, IndicatorValue, Report, Tranche

    rng = random.Random(seed)
    today = timezone.localdate()
    stem = f"{seed:02d}{rng.randrange(10**6):06d}"
    dossiers = Dossier.objects.bulk_create(
        Dossier(reference=f"FDT-B{stem}-{i:05d}", wave=wave, track=track, organisation=organisation, owner=owner,
                state="laureate", place_name=f"Lieu {i}", amount_requested_eur=150000,
                place_commune=communes[i % len(communes)] if communes else None)
        for i in range(count))
    agreements = Agreement.objects.bulk_create(
        Agreement(reference=f"CONV-{d.reference}", dossier=d, call=wave.call, state=STATES[i % len(STATES)],
                  amount_eur=150000, starts_on=today - dt.timedelta(days=rng.randrange(100, 1000)))
        for i, d in enumerate(dossiers))
    tranches, reports = [], []
    for a in agreements:
        live = a.state in ("in_force", "closed", "terminated")
        for n in (1, 2, 3):
            state = "paid" if live and n == 1 else ("due" if live and n == 2 else "waiting")
            if a.state == "terminated" and n > 1:
                state = "cancelled"
            tranches.append(Tranche(agreement=a, number=n, amount_eur=50000, state=state,
                                    release="signature" if n == 1 else "report",
                                    after_report_year=None if n == 1 else n - 1))
        if not live:
            continue
        for year in (1, 2, 3):
            begins = a.starts_on + dt.timedelta(days=365 * (year - 1))
            state = "accepted" if year == 1 else ("deposited" if year == 2 and rng.random() < 0.5 else "to_fill")
            reports.append(Report(agreement=a, year=year, label=f"Compte rendu {year}", period_start=begins,
                                  period_end=begins + dt.timedelta(days=364),
                                  due_on=begins + dt.timedelta(days=454), state=state))
    Tranche.objects.bulk_create(tranches, batch_size=2000)
    Report.objects.bulk_create(reports, batch_size=2000)
    indicators = list(Indicator.objects.filter(call=wave.call, tracks=track, kind__in=("integer", "decimal", "money")))
    choice = Indicator.objects.filter(call=wave.call, tracks=track, kind="choice").first()
    values = []
    for report in Report.objects.filter(agreement__in=agreements, state="accepted"):
        for indicator in indicators:
            if indicator.kind == "decimal":
                values.append(IndicatorValue(report=report, indicator=indicator,
                                             number_dec=Decimal(rng.randrange(0, 10000)) / 100))
            else:
                values.append(IndicatorValue(report=report, indicator=indicator, number_int=rng.randrange(0, 2000)))
        if choice:
            values.append(IndicatorValue(report=report, indicator=choice, text=rng.choice(choice.choices)))
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    from fabriques.followup.domain import figures_refresh

    figures_refresh(agreements=Agreement.objects.filter(pk__in=[a.pk for a in agreements]))
    return count
