"""The agreement and the proof of a report's deposit as PDF: WeasyPrint, drawn from the stored snapshot (never from
the live rows), with the proof of deposit's paper stylesheet plus a rule of its own (the DSFR's CSS is not for
paper)."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from fabriques.dossiers.proof import PRINT_CSS as PAPER_CSS
from fabriques.followup.models import AgreementVersion, ReportVersion
from fabriques.formatting import euros

PRINT_CSS = Path(__file__).resolve().parent / "static" / "followup" / "print.css"


def _pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML

    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PAPER_CSS)), CSS(filename=str(PRINT_CSS))])


def agreement_filename(version: AgreementVersion) -> str:
    return f"convention-{version.snapshot['reference']}-v{version.number}.pdf"


def agreement_html(version: AgreementVersion) -> str:
    s = version.snapshot
    return render_to_string("followup/agreement_pdf.html", {
        "version": version, "s": s, "amount": euros(s["amount_eur"]),
        "tranches": [{**t, "amount": euros(t["amount_eur"])} for t in s["tranches"]],
        "created_at": timezone.localtime(version.created_at),
    })


def agreement_pdf(version: AgreementVersion) -> bytes:
    return _pdf(agreement_html(version))


def report_proof_filename(version: ReportVersion) -> str:
    s = version.snapshot
    return f"attestation-compte-rendu-{s['agreement']}-annee{s['year']}-v{version.number}.pdf"


def report_proof_html(version: ReportVersion) -> str:
    s = version.snapshot
    return render_to_string("followup/report_proof_pdf.html", {
        "version": version, "s": s, "deposited_at": timezone.localtime(version.deposited_at),
        "spent": euros(s["spent_total_eur"]), "budgeted": euros(s["budgeted_total_eur"]),
    })


def report_proof_pdf(version: ReportVersion) -> bytes:
    return _pdf(report_proof_html(version))
