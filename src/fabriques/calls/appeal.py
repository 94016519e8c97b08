"""Voies et délais de recours: what a decision that refuses (inadmissibility, project not retained, waiting list)
must tell the applicant, with the authority and the tribunal of the call.

The call's definition may carry an `[appeal]` table (schema `AppealDef`); left out, the defaults fit the 2019 AMI
(signed for the ANCT, whose seat makes the tribunal administratif de Paris competent). It is read from the
definition's stored text (`Call.source_text`), already validated by `load-call`, so no column is needed.
"""

from __future__ import annotations

import tomllib

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_AUTHORITY = "l’Agence nationale de la cohésion des territoires (ANCT)"
DEFAULT_TRIBUNAL = "tribunal administratif de Paris"


class AppealDef(BaseModel):
    """`[appeal]` of a call's definition: who decides, which tribunal, within how many months."""

    model_config = ConfigDict(extra="forbid")

    authority: str = Field(default=DEFAULT_AUTHORITY, min_length=1)
    tribunal: str = Field(default=DEFAULT_TRIBUNAL, min_length=1)
    months: int = Field(default=2, ge=1, le=12)


def appeal_for(call) -> AppealDef:
    """The call's appeal routes: its definition's `[appeal]` table, else the defaults."""
    try:
        table = tomllib.loads(call.source_text or "").get("appeal") or {}
    except tomllib.TOMLDecodeError:
        table = {}
    return AppealDef(**table)


def appeal_text(call) -> str:
    """The paragraph « Voies et délais de recours », in French, for a letter or an e-mail."""
    appeal = appeal_for(call)
    months = "deux mois" if appeal.months == 2 else f"{appeal.months} mois"
    return (
        "Voies et délais de recours : cette décision peut faire l’objet d’un recours gracieux auprès de "
        f"{appeal.authority}, autorité signataire, dans un délai de {months} à compter de sa notification. Elle peut "
        f"également faire l’objet d’un recours contentieux devant le {appeal.tribunal} dans un délai de {months} à "
        "compter de sa notification ou, en cas de recours gracieux, à compter de la réponse de l’administration (le "
        "silence gardé pendant deux mois valant rejet). Le tribunal peut être saisi par l’application « Télérecours "
        "citoyens », accessible sur le site www.telerecours.fr."
    )
