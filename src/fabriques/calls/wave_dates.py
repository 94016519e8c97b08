"""Programme admins change a wave's opening and closing in the interface, checked as the definition file is.

The definition stays the source: loading it again with other dates for the wave puts them back."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from pydantic import ValidationError

from fabriques.audit.domain import audit_record
from fabriques.calls.definition import WaveDef
from fabriques.calls.models import Wave
from fabriques.refusal import Refusal

MESSAGES = {
    "closes_at must be after opens_at": "La clôture doit être postérieure à l’ouverture.",
}


class WaveDatesError(Refusal):
    """Dates refused, in French."""


def wave_dates_set(*, wave: Wave, opens_at: dt.datetime, closes_at: dt.datetime, by) -> Wave:
    """Store new dates after the definition's own check (WaveDef); audited with the previous dates."""
    try:
        WaveDef(slug=wave.slug, title=wave.title, opens_at=opens_at, closes_at=closes_at,
                envelope_eur=wave.envelope_eur, max_laureates=wave.max_laureates)
    except ValidationError as exc:
        reasons = [MESSAGES.get(str(e.get("ctx", {}).get("error", "")), e["msg"]) for e in exc.errors()]
        raise WaveDatesError(" ".join(reasons)) from None
    before = {"opens_at": wave.opens_at.isoformat(), "closes_at": wave.closes_at.isoformat()}
    with transaction.atomic():
        wave.opens_at, wave.closes_at = opens_at, closes_at
        wave.save(update_fields=["opens_at", "closes_at"])
        audit_record(action="wave.dates", obj=wave, by=by, before=before,
                     after={"opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat()},
                     call_id=wave.call_id)
    return wave
