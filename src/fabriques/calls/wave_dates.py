"""Programme admins change a wave's opening and closing in the interface, checked as the definition file is.

The definition stays the source: loading it again with other dates for the wave puts them back."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from pydantic import ValidationError

from fabriques.audit.domain import audit_record
from fabriques.calls.definition import WaveDef
from fabriques.calls.models import Wave
from fabriques.mail.domain import Email, emails_queue
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


# --- Closing or extending a wave from the interface ------------------------------------------------------------
# The dossiers are read through the reverse relation Dossier.wave (`wave.dossiers`): calls sits below dossiers in the
# layers and does not import them; the states are named by their stored values.
DRAFT = "draft"
BEFORE_INSTRUCTION = ("draft", "deposited", "withdrawn")


def _paris(moment: dt.datetime) -> str:
    from django.utils import timezone

    local = timezone.localtime(moment)
    return f"{local:%d/%m/%Y} à {local:%H} h {local:%M}"


def wave_close(*, wave: Wave, by, reason: str = "") -> Wave:
    """Close an open wave now: no deposit is accepted afterwards (the closing second is now); audited."""
    from django.utils import timezone

    now = timezone.now()
    if not wave.is_open(now):
        raise WaveDatesError("Cette vague n’est pas ouverte : il n’y a rien à clôturer.")
    before = {"closes_at": wave.closes_at.isoformat()}
    with transaction.atomic():
        wave.closes_at = now
        wave.save(update_fields=["closes_at"])
        audit_record(action="wave.closed", obj=wave, by=by, before=before, after={"closes_at": now.isoformat()},
                     reason=reason, call_id=wave.call_id)
    return wave


def wave_extend(*, wave: Wave, closes_at: dt.datetime, reason: str, by) -> tuple[Wave, int]:
    """Move the closing later (checked as the definition checks it), with a reason; the owners of drafts in the wave
    are told the new closing by e-mail. Returns the wave and how many applicants were told."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone


    reason = (reason or "").strip()
    if not reason:
        raise WaveDatesError("Indiquez le motif de la prolongation : les porteurs de brouillons le liront.")
    if closes_at <= max(wave.closes_at, timezone.now()):
        raise WaveDatesError("La nouvelle clôture doit être postérieure à la clôture actuelle "
                             f"({_paris(wave.closes_at)}) et à maintenant.")
    if wave.dossiers.exclude(state__in=BEFORE_INSTRUCTION).exists():
        raise WaveDatesError("L’instruction des dossiers de cette vague a commencé : la vague ne peut plus être "
                             "prolongée.")
    try:
        WaveDef(slug=wave.slug, title=wave.title, opens_at=wave.opens_at, closes_at=closes_at,
                envelope_eur=wave.envelope_eur, max_laureates=wave.max_laureates)
    except ValidationError as exc:
        reasons = [MESSAGES.get(str(e.get("ctx", {}).get("error", "")), e["msg"]) for e in exc.errors()]
        raise WaveDatesError(" ".join(reasons)) from None
    owners = sorted(set(wave.dossiers.filter(state=DRAFT).values_list("owner__email", flat=True)))
    link = settings.SITE_URL.rstrip("/") + reverse("dossiers:list")
    before = {"closes_at": wave.closes_at.isoformat()}
    with transaction.atomic():
        wave.closes_at = closes_at
        wave.save(update_fields=["closes_at"])
        audit_record(action="wave.extended", obj=wave, by=by, before=before,
                     after={"closes_at": closes_at.isoformat(), "drafts_told": len(owners)}, reason=reason,
                     call_id=wave.call_id)
        emails_queue(emails=[Email(
            to=[email], subject=f"[Fabriques] Clôture prolongée — {wave.title}",
            body=(f"Bonjour,\n\nLa clôture de « {wave.title} » est prolongée jusqu’au {_paris(closes_at)} (heure de "
                  f"Paris).\n\nMotif : {reason}\n\nVotre brouillon peut être complété et déposé jusqu’à cette date :\n"
                  f"{link}\n\nL’équipe Fabriques"),
        ) for email in owners])
    return wave, len(owners)
