"""A follow-up world for the permission matrix: a laureate of the world's applicant, agreement in force, report 1
deposited with one attachment."""

import datetime as dt
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fabriques.committee.enums import Outcome
from fabriques.committee.models import Decision
from fabriques.dossiers.domain import dossier_create
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.workflow import dossier_transition
from fabriques.followup import domain, reporting
from fabriques.followup.enums import AgreementState
from tests.dossiers.factories import small_pdf

PATH = (DossierState.DEPOSITED, DossierState.IN_INSTRUCTION, DossierState.ADMISSIBLE, DossierState.IN_EVALUATION,
        DossierState.EVALUATED, DossierState.LAUREATE)


def followup_world(w) -> SimpleNamespace:
    admin, applicant = w.users["admin"], w.users["applicant"]
    dossier = dossier_create(wave=w.wave, track=w.dossier.track, organisation=w.dossier.organisation, by=applicant)
    for to in PATH:
        dossier_transition(dossier, to, by=admin)
    now = timezone.now()
    Decision.objects.create(dossier=dossier, outcome=Outcome.LAUREATE, amount_eur=150000, reasons="Retenu.",
                            staged_by=admin, staged_at=now, applied_at=now, applied_by=admin)
    dossier.refresh_from_db()
    agreement = domain.agreement_create(dossier=dossier, by=admin)
    domain.agreement_transition(agreement, AgreementState.SENT, by=admin)
    domain.agreement_signed_copy_upload(agreement=agreement, by=applicant,
                                        upload=SimpleUploadedFile("signee.pdf", small_pdf("signée")))
    domain.agreement_start(agreement=agreement, starts_on=timezone.localdate() - dt.timedelta(days=400), by=admin)
    report = agreement.reports.get(year=1)
    attachment = reporting.report_attachment_add(report=report, by=applicant,
                                                 upload=SimpleUploadedFile("bilan.pdf", small_pdf("bilan")))
    values = {"personnes-accueillies": "10", "heures-mediation": "5", "personnes-formees": "3", "evenements": "2",
              "emplois-etp": "1", "part-ressources-propres": "20", "gouvernance": "Collégiale"}
    spending = {ln.category: (str(ln.budgeted_eur), "") for ln in reporting.spending_ensure(report=report)}
    reporting.report_save(report=report, by=applicant, base_version=0, values=values, spending=spending, narrative="")
    reporting.report_deposit(report=report, by=applicant)
    return SimpleNamespace(agreement=agreement, report=report, attachment=attachment)
