"""The programme admins' audit log page: the call's entries, filtered in SQL, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from fabriques.audit.models import AuditEntry
from fabriques.dossiers.models import Dossier


@dataclass(frozen=True)
class AuditFilters:
    dossier: str = ""  # a reference, e.g. FDT-2026-00042
    person: str = ""  # part of the actor's e-mail
    action: str = ""  # part of the action name, e.g. « decision »
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    errors: tuple[str, ...] = ()

    @classmethod
    def from_querydict(cls, data) -> AuditFilters:
        errors, dates = [], {}
        for key, label in (("date_from", "Du"), ("date_to", "Au")):
            raw = data.get(key, "").strip()
            try:
                dates[key] = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                dates[key] = None
                errors.append(f"« {label} » : saisissez une date valide (jj/mm/aaaa).")
        return cls(dossier=data.get("dossier", "").strip()[:40], person=data.get("person", "").strip()[:254],
                   action=data.get("action", "").strip()[:60], errors=tuple(errors), **dates)


def audit_entries(call, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Entries of the call (its own and its dossiers'), filtered; the newest first."""
    dossiers = Dossier.objects.filter(wave__call=call)
    qs = AuditEntry.objects.filter(Q(call_id=call.pk) | Q(dossier_id__in=dossiers.values("pk")))
    if filters.dossier:
        qs = qs.filter(dossier_id__in=dossiers.filter(reference__iexact=filters.dossier).values("pk"))
    if filters.person:
        qs = qs.filter(actor_label__icontains=filters.person)
    if filters.action:
        qs = qs.filter(action__icontains=filters.action)
    zone = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=zone))
    if filters.date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
    return qs.order_by("-id")


def references_of(entries) -> dict[int, str]:
    """Dossier id -> reference for the rows shown (one query)."""
    ids = {e.dossier_id for e in entries if e.dossier_id}
    return dict(Dossier.objects.filter(pk__in=ids).values_list("pk", "reference")) if ids else {}
