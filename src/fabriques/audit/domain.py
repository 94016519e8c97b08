"""Writing and verifying the audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from fabriques.audit.models import AuditEntry

GENESIS = "0" * 64
_CHAIN_LOCK = 7_245_001  # PostgreSQL advisory lock held by the transaction that appends to the chain


# Entries recorded inside `audit_batch()`, waiting for its end to be chained and written together.
_PENDING: ContextVar[list[AuditEntry] | None] = ContextVar("fabriques_audit_pending", default=None)


@contextmanager
def audit_batch() -> Iterator[None]:
    """Entries recorded inside the block are chained and written together when it ends: one read of the chain's head
    and one insert (the deposit records three, from three apps). Use it inside the transaction of the change, so the
    entries still commit or roll back with it; nothing is written when the block raises. The entries get their hash
    and id at the end of the block; a nested block leaves them to the outer one."""
    if _PENDING.get() is not None:
        yield
        return
    token = _PENDING.set([])
    try:
        yield
        pending = _PENDING.get()
    finally:
        _PENDING.reset(token)
    _write_chained(pending)


def _write_chained(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Chain the entries after the current head, in order, and insert them in one write (one writer at a time)."""
    if not entries:
        return entries
    with transaction.atomic():
        previous = _chain_head()
        for entry in entries:
            entry.previous_hash = previous
            entry.entry_hash = previous = _hash(previous, entry)
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return entries


def _chain_head() -> str:
    """The last entry's hash, read once this transaction holds the chain (one writer at a time)."""
    if connection.vendor == "postgresql":  # SQLite: IMMEDIATE transactions already serialise writers
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    last = AuditEntry.objects.order_by("-id").only("entry_hash").first()
    return last.entry_hash if last else GENESIS


def _canonical(entry: AuditEntry) -> str:
    payload = {
        "at": entry.at.isoformat(),
        "actor": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "dossier_id": entry.dossier_id,
        "call_id": entry.call_id,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)


def _hash(previous_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((previous_hash + "\n" + _canonical(entry)).encode("utf-8")).hexdigest()


def _jsonable(values: dict | None) -> dict:
    return json.loads(json.dumps(values or {}, cls=DjangoJSONEncoder))


def audit_record(
    *,
    action: str,
    obj,
    by=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    dossier_id: int | None = None,
    call_id: int | None = None,
) -> AuditEntry:
    """Append one entry chained to the last one; call inside the transaction of the change it records."""
    entry = AuditEntry(
        at=timezone.now(),
        actor=by if (by is not None and getattr(by, "is_authenticated", False)) else None,
        actor_label=getattr(by, "email", "") or "système",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        dossier_id=dossier_id,
        call_id=call_id,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
    )
    pending = _PENDING.get()
    if pending is not None:  # inside audit_batch(): written at its end
        pending.append(entry)
        return entry
    with transaction.atomic():
        # Serialise writers so the chain has one head (advisory lock on PostgreSQL; SQLite's IMMEDIATE
        # transactions). Locking the last row was not enough: a writer that waited for that lock still read
        # the old head from its statement's snapshot, and two entries chained to the same one (a fork).
        entry.previous_hash = _chain_head()
        entry.entry_hash = _hash(entry.previous_hash, entry)
        entry.save(force_insert=True)
    return entry


def audit_record_many(*, entries: list[dict]) -> list[AuditEntry]:
    """Append many entries in one write, chained in order; same guarantees as `audit_record` (for bulk actions)."""
    if not entries:
        return []
    now = timezone.now()
    rows = []
    for data in entries:
        by, obj = data.get("by"), data.get("obj")
        rows.append(AuditEntry(
            at=now,
            actor=by if (by is not None and getattr(by, "is_authenticated", False)) else None,
            actor_label=getattr(by, "email", "") or "système",
            action=data["action"],
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(getattr(obj, "pk", "") or ""),
            dossier_id=data.get("dossier_id"),
            call_id=data.get("call_id"),
            before=_jsonable(data.get("before")),
            after=_jsonable(data.get("after")),
            reason=data.get("reason", ""),
        ))
    pending = _PENDING.get()
    if pending is not None:  # inside audit_batch(): written at its end
        pending.extend(rows)
        return rows
    return _write_chained(rows)


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str = ""


def audit_verify() -> ChainCheck:
    """Walk the whole chain; report the first entry whose hash or link does not match."""
    previous = GENESIS
    count = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if entry.previous_hash != previous:
            return ChainCheck(False, count, entry.id, "le lien vers l’entrée précédente est rompu")
        if _hash(previous, entry) != entry.entry_hash:
            return ChainCheck(False, count, entry.id, "le contenu de l’entrée a été modifié")
        previous = entry.entry_hash
    return ChainCheck(True, count)
