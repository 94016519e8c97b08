"""The proof of deposit: a PDF rendered by WeasyPrint from the deposited snapshot, with its own print stylesheet."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from fabriques.dossiers.models import DossierVersion
from fabriques.formatting import euros

PRINT_CSS = Path(__file__).resolve().parent / "static" / "dossiers" / "proof.css"


def proof_filename(version: DossierVersion) -> str:
    return f"attestation-depot-{version.dossier.reference}-v{version.number}.pdf"


def proof_html(version: DossierVersion, *, template: str = "dossiers/proof.html", extra: dict | None = None) -> str:
    """The proof's HTML, built from what was deposited (the snapshot), never from the current content.

    The agents' dossier PDF (`instruction/bundle.py`) renders the same content through its own `template`."""
    snapshot = version.snapshot
    lines = snapshot["budget"]["lines"]
    years = sorted({ln["year"] for ln in lines})
    budget = [
        {
            "year": year,
            "lines": [ln for ln in lines if ln["year"] == year],
            "charges": euros(sum(ln["amount_eur"] for ln in lines if ln["year"] == year and ln["kind"] == "charge")),
            "resources": euros(
                sum(ln["amount_eur"] for ln in lines if ln["year"] == year and ln["kind"] == "resource")
            ),
        }
        for year in years
    ]
    return render_to_string(template, {
        "version": version, "s": snapshot, "budget": budget,
        "deposited_at": timezone.localtime(version.deposited_at),
        "amount": euros(snapshot["budget"]["amount_requested_eur"]),
        **(extra or {}),
    })


def proof_pdf(version: DossierVersion) -> bytes:
    """The proof of deposit as PDF (WeasyPrint, print stylesheet of its own)."""
    from weasyprint import CSS, HTML

    return HTML(string=proof_html(version)).write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))])
