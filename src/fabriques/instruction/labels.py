"""Labels of a call's dossiers, set by the instruction (« À relancer », « Visite prévue »), shown on the dossier page
and filterable on the dashboard."""

from __future__ import annotations

import unicodedata

from django.db import transaction
from django.utils import timezone

from fabriques.audit.domain import audit_record
from fabriques.dossiers.models import Dossier
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.models import Label

MAX_LABELS = 10


def label_order(name: str) -> str:
    """Alphabetical as a French reader expects: accents and case do not move a name (« À relancer », « Visite »)."""
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c)).casefold()


def parse_labels(text: str) -> list[str]:
    """Comma-separated names, spaces tidied, duplicates left out (first spelling kept), in the order typed."""
    names, seen = [], set()
    for raw in (text or "").split(","):
        name = " ".join(raw.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def labels_set(*, dossier: Dossier, text: str, by) -> list[str]:
    """The dossier's labels become those typed (a new name creates the call's label); audited with before/after."""
    names = parse_labels(text)
    too_long = [n for n in names if len(n) > 40]
    if too_long:
        raise InstructionError(f"Une étiquette ne dépasse pas 40 caractères : « {too_long[0][:40]}… ».")
    if len(names) > MAX_LABELS:
        raise InstructionError(f"Au plus {MAX_LABELS} étiquettes par dossier.")
    call_id = dossier.wave.call_id
    existing = {label.name.casefold(): label for label in Label.objects.filter(call_id=call_id)}
    before = sorted(dossier.labels.values_list("name", flat=True), key=label_order)
    with transaction.atomic():
        chosen = []
        for name in names:
            label = existing.get(name.casefold())
            if label is None:
                label, _ = Label.objects.get_or_create(call_id=call_id, name=name,
                                                       defaults={"created_at": timezone.now()})
            chosen.append(label)
        dossier.labels.set(chosen)
        after = sorted((label.name for label in chosen), key=label_order)
        if after != before:
            audit_record(action="dossier.labels", obj=dossier, by=by, before={"étiquettes": before},
                         after={"étiquettes": after}, dossier_id=dossier.pk, call_id=call_id)
    return after
