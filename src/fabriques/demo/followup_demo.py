"""Demo content of the follow-up (issue 18): laureates with agreements in every state and their first-year reports
(some accepted, one with changes requested, one late, one awaiting review), built through the domain functions.

Laureates are the applied decisions of the demo's closed waves when there are some; otherwise a small wave of
2019 laureates is built for the purpose (« Vague de démonstration (lauréats en suivi) »). Safe to run again."""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fabriques.calls.models import Wave
from fabriques.committee.enums import Outcome
from fabriques.committee.models import Decision
from fabriques.demo.committee_demo import build_at
from fabriques.demo.people import demo_user
from fabriques.demo.places import closed_wave_places
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.dossiers.workflow import dossier_transition
from fabriques.followup import domain, reporting
from fabriques.followup.enums import AgreementState, TrancheState
from fabriques.followup.models import Agreement

A, T = AgreementState, TrancheState
PLAN = ["draft", "sent", "signed", "accepted-paid", "accepted-requested", "changes", "late", "deposited", "closed",
        "terminated"]
PATH = (DossierState.IN_INSTRUCTION, DossierState.ADMISSIBLE, DossierState.IN_EVALUATION, DossierState.EVALUATED,
        DossierState.LAUREATE)


def _pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = b"%PDF-1.4\n"
    for i, body in enumerate(objects, start=1):
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _laureates_wave(*, call, password: str, admin, porteur) -> list:
    now = timezone.now()
    wave, _ = Wave.objects.get_or_create(call=call, slug="vague-demo-suivi", defaults={
        "title": "Vague de démonstration (lauréats en suivi)", "opens_at": now - dt.timedelta(days=1),
        "closes_at": now + dt.timedelta(days=1), "envelope_eur": 1500000, "max_laureates": 10, "is_demo": True})
    rng = random.Random(2020)  # nosec B311 - seeded demo data, not security
    dossiers = []
    for i, place in enumerate(closed_wave_places(len(PLAN)), start=1):
        owner = porteur if PLAN[i - 1] == "changes" else demo_user(f"laureat{i:02d}@demo.fabriques.fr", password,
                                                                    call=call)
        dossier = build_at(place, wave=wave, owner=owner, rng=rng)
        for to in PATH:
            dossier_transition(dossier, to, by=admin)
        amount = rng.choice([150000, 150000, 120000, 90000])
        Decision.objects.create(dossier=dossier, outcome=Outcome.LAUREATE, amount_eur=amount,
                                reasons="Projet retenu par le comité de démonstration.", staged_by=admin,
                                staged_at=now, applied_at=now, applied_by=admin)
        dossiers.append(dossier)
    wave.opens_at, wave.closes_at = now - dt.timedelta(days=900), now - dt.timedelta(days=840)
    wave.save(update_fields=["opens_at", "closes_at"])
    return dossiers


def _fill(report, *, by, rng, lower: bool = False) -> None:
    values = {}
    for indicator in reporting.indicators_for(report):
        if indicator.kind == "integer":
            values[indicator.code] = str(rng.randrange(5, 60) if lower else rng.randrange(40, 1500))
        elif indicator.kind == "decimal":
            values[indicator.code] = f"{rng.randrange(10, 900) / 10:.1f}".replace(".", ",")
        elif indicator.kind == "money":
            values[indicator.code] = str(rng.randrange(5000, 90000))
        elif indicator.kind == "choice":
            values[indicator.code] = rng.choice(indicator.choices)
        else:
            values[indicator.code] = "Ouverture d’un atelier de réparation et d’un point France services."
    spending = {}
    for line in reporting.spending_ensure(report=report):
        spent = round(line.budgeted_eur * rng.uniform(0.9, 1.1))
        spending[line.category] = (str(spent), "Écart lié au calendrier des recrutements." if spent else "")
    reporting.report_save(report=report, by=by, base_version=report.version, values=values, spending=spending,
                          narrative="Une année de lancement : la communauté s’est élargie aux habitants du quartier.")


def _pay(agreement, number: int, *, by) -> None:
    tranche = agreement.tranches.get(number=number)
    if tranche.state == T.DUE:
        domain.tranche_transition(tranche, T.REQUESTED, by=by)
    domain.tranche_transition(tranche, T.PAID, by=by, payment_reference=f"DP-{agreement.pk:04d}-{number}")


def _accept_year(agreement, year: int, *, owner, instructor, rng) -> None:
    report = agreement.reports.get(year=year)
    _fill(report, by=owner, rng=rng)
    reporting.report_deposit(report=report, by=owner)
    reporting.report_review(report=report, by=instructor, accept=True, comments={})


def _play(agreement, plan: str, *, admin, instructor, rng) -> None:
    owner = agreement.dossier.owner
    if plan == "draft":
        return
    domain.agreement_transition(agreement, A.SENT, by=admin)
    if plan == "sent":
        return
    domain.agreement_signed_copy_upload(agreement=agreement, by=owner,
                                        upload=SimpleUploadedFile("convention-signee.pdf", _pdf("Convention signee")))
    if plan == "signed":
        return
    started = {"closed": 1200, "late": 520}.get(plan, 400)
    domain.agreement_start(agreement=agreement, starts_on=timezone.localdate() - dt.timedelta(days=started), by=admin)
    if plan != "late":
        _pay(agreement, 1, by=admin)
    report = agreement.reports.get(year=1)
    if plan in ("accepted-paid", "accepted-requested", "closed"):
        _accept_year(agreement, 1, owner=owner, instructor=instructor, rng=rng)
        if plan == "accepted-paid":
            _pay(agreement, 2, by=admin)
        elif plan == "accepted-requested":
            domain.tranche_transition(agreement.tranches.get(number=2), T.REQUESTED, by=admin)
        else:
            _pay(agreement, 2, by=admin)
            _accept_year(agreement, 2, owner=owner, instructor=instructor, rng=rng)
            _pay(agreement, 3, by=admin)
            _accept_year(agreement, 3, owner=owner, instructor=instructor, rng=rng)
            domain.agreement_transition(agreement, A.CLOSED, by=admin)
    elif plan == "changes":
        _fill(report, by=owner, rng=rng, lower=True)
        reporting.report_deposit(report=report, by=owner)
        reporting.report_review(report=report, by=instructor, accept=False, comments={
            "indicators": "Le nombre de personnes formées semble bas au regard des ateliers décrits : vérifiez-le.",
            "financial": "Les charges de personnel dépassent le budget : précisez les recrutements."})
    elif plan == "deposited":
        _fill(report, by=owner, rng=rng)
        reporting.report_deposit(report=report, by=owner)
    elif plan == "terminated":
        domain.agreement_terminate(agreement=agreement, by=admin, reason="Cessation d’activité de l’association.",
                                   reimburse_eur=agreement.tranches.get(number=1).amount_eur // 2)


def demo_followup(*, call, password: str, users: dict) -> int:
    """Agreements in every state for the demo's laureates; returns how many agreements were created."""
    if Agreement.objects.filter(call=call).exists():
        return 0
    admin, instructor = users["admin"], users["instructeur"]
    laureates = list(Dossier.objects.filter(wave__call=call, wave__is_demo=True, state=DossierState.LAUREATE,
                                            decision__applied_at__isnull=False)
                     .exclude(wave__slug="vague-demo-suivi").order_by("reference")
                     .select_related("decision", "wave", "track", "organisation", "owner"))
    if len(laureates) < len(PLAN):
        laureates += _laureates_wave(call=call, password=password, admin=admin, porteur=users["porteur"])
    rng = random.Random(18)  # nosec B311 - seeded demo data, not security
    created = 0
    for i, dossier in enumerate(laureates):
        agreement = domain.agreement_create(dossier=dossier, by=admin)
        created += 1
        _play(agreement, PLAN[i % len(PLAN)], admin=admin, instructor=instructor, rng=rng)
    return created
