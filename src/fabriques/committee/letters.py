"""Decision letters: the e-mail text and a PDF rendered by WeasyPrint with a print stylesheet of its own."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from fabriques.calls.appeal import appeal_text
from fabriques.committee.enums import Outcome
from fabriques.committee.models import Decision
from fabriques.formatting import euros

PRINT_CSS = Path(__file__).resolve().parent / "static" / "committee" / "letter.css"

# Decisions that refuse the grant (for now or for good) state the appeal routes and deadline (voies et délais de
# recours), as French administrative decisions must.
APPEALABLE = frozenset({Outcome.WAITING_LIST, Outcome.NOT_RETAINED})

SUBJECTS = {
    Outcome.LAUREATE: "Votre projet est lauréat",
    Outcome.WAITING_LIST: "Votre projet est placé sur liste d’attente",
    Outcome.NOT_RETAINED: "Votre projet n’a pas été retenu",
}


def letter_text(decision: Decision) -> tuple[str, str]:
    """Subject and body of the e-mail that carries the letter."""
    dossier = decision.dossier
    call = dossier.wave.call
    subject = f"[Fabriques] {SUBJECTS[decision.outcome]} — {dossier.reference}"
    if decision.outcome == Outcome.LAUREATE:
        first = (
            f"Le comité de sélection a retenu votre projet « {dossier.place_name} » comme lauréat de "
            f"« {call.title} », pour un montant de {euros(decision.amount_eur)} sur "
            f"{dossier.track.duration_years} ans."
        )
    elif decision.outcome == Outcome.WAITING_LIST:
        first = (
            f"Le comité de sélection a placé votre projet « {dossier.place_name} » sur liste d’attente"
            + (f" (rang {decision.waiting_rank})" if decision.waiting_rank else "")
            + ". Vous serez informé si un financement se libère."
        )
    else:
        first = (
            f"Le comité de sélection n’a pas retenu votre projet « {dossier.place_name} ». "
            "Vous pouvez présenter à nouveau votre projet lors d’une prochaine vague en tenant compte "
            "des motifs ci-dessous."
        )
    appeal = f"{appeal_text(call)}\n\n" if decision.outcome in APPEALABLE else ""
    body = (
        f"Bonjour,\n\n{first}\n\nMotifs du comité et appréciations des évaluateurs :\n{decision.reasons}\n\n"
        f"{appeal}Le courrier de décision est joint à ce message.\n\nL’équipe du programme"
    )
    return subject, body


def letter_pdf(decision: Decision) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(
        "committee/letter.html",
        {
            "decision": decision,
            "dossier": decision.dossier,
            "call": decision.dossier.wave.call,
            "today": timezone.localdate(),
            "amount": euros(decision.amount_eur) if decision.amount_eur else "",
            "reasons": decision.reasons.splitlines(),
            "appeal": appeal_text(decision.dossier.wave.call) if decision.outcome in APPEALABLE else "",
        },
    )
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))])
