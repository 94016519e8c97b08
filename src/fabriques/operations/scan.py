"""The antivirus pass over stored files (`scan-pending`): each file stored without a verdict is scanned; infected
files are quarantined.

Files uploaded while no scanner was configured are stored ``not_scanned``; a scan that failed leaves
``error`` (see antivirus.py). ``pending_files_scan`` sends each of them to the configured clamd and stores
the verdict. An infected file is moved under ``quarantine/`` in the same storage (so a backup still holds
what the rows point to), its row says ``infected``, and the download views refuse it.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from fabriques.audit.domain import audit_record
from fabriques.dossiers.models import DossierAttachment
from fabriques.instruction.models import Message
from fabriques.security.antivirus import ScanResult, ScanState, configured_address, scan_stream

logger = logging.getLogger(__name__)

PENDING_STATES = (ScanState.NOT_SCANNED, ScanState.ERROR)
QUARANTINE_DIR = "quarantine"
BATCH = 200
NO_SCANNER_MESSAGE = (
    "Aucun antivirus n’est configuré (FABRIQUES_CLAMD est vide) : aucun fichier n’a été analysé. "
    "Indiquez l’adresse de clamd, par exemple FABRIQUES_CLAMD=unix:/run/clamav/clamd.ctl."
)


class ScannerNotConfiguredError(Exception):
    """No scanner is configured: nothing can be scanned (the message says so in French)."""


@dataclass
class ScanSummary:
    scanned: int = 0
    clean: int = 0
    infected: int = 0
    errors: int = 0

    def as_line(self) -> str:
        return f"scanned={self.scanned} clean={self.clean} infected={self.infected} errors={self.errors}"


@dataclass(frozen=True)
class StoredFileKind:
    """Where a kind of uploaded file keeps its file, its scan state and the name the person gave it."""

    model: type
    file_field: str
    state_field: str
    name_field: str


FILE_KINDS = (
    StoredFileKind(DossierAttachment, "file", "scan_state", "original_name"),
    StoredFileKind(Message, "attachment", "attachment_scan_state", "attachment_name"),
)


def pending_files_scan(*, timeout: float | None = None) -> ScanSummary:
    """Every `not_scanned`/`error` file goes through clamd; its verdict is stored; an infected one is quarantined."""
    address = configured_address()
    if address is None:
        raise ScannerNotConfiguredError(NO_SCANNER_MESSAGE)
    timeout = timeout if timeout is not None else getattr(settings, "FABRIQUES_CLAMD_TIMEOUT", 30.0)
    summary = ScanSummary()
    for kind in FILE_KINDS:
        pending = kind.model.objects.filter(**{f"{kind.state_field}__in": PENDING_STATES}).exclude(
            **{kind.file_field: ""}
        )
        # Ids first, then rows by batches: never write to a table while a cursor over it is open (SQLite).
        ids = list(pending.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            rows = kind.model.objects.select_related("dossier__wave").filter(pk__in=ids[start : start + BATCH])
            for row in rows.order_by("pk"):
                result = _scan_row(row, kind, address=address, timeout=timeout)
                _store_verdict(row, kind, result, summary)
    return summary


def _scan_row(row, kind: StoredFileKind, *, address, timeout: float) -> ScanResult:
    field = getattr(row, kind.file_field)
    try:
        with field.storage.open(field.name, "rb") as handle:
            return scan_stream(handle, address=address, timeout=timeout)
    except OSError as exc:  # the file is missing or unreadable: the scan is not possible
        return ScanResult(ScanState.ERROR, detail=f"{type(exc).__name__}: {exc}")


def _store_verdict(row, kind: StoredFileKind, result: ScanResult, summary: ScanSummary) -> None:
    summary.scanned += 1
    if result.state == ScanState.INFECTED:
        if file_quarantine(row=row, kind=kind, signature=result.signature):
            summary.infected += 1
        return
    if result.state == ScanState.ERROR:
        summary.errors += 1
        logger.error("antivirus: %s %s not scanned (%s)", kind.model._meta.label_lower, row.pk, result.detail)
    else:
        summary.clean += 1
    # Only a row still pending is updated: a file replaced or removed meanwhile keeps its own state.
    kind.model.objects.filter(pk=row.pk, **{f"{kind.state_field}__in": PENDING_STATES}).update(
        **{kind.state_field: result.state}
    )


def file_quarantine(*, row, kind: StoredFileKind, signature: str) -> bool:
    """Move an infected file under quarantine/, mark its row `infected` and audit it; False if the row moved on."""
    field = getattr(row, kind.file_field)
    storage, old_name, before = field.storage, field.name, getattr(row, kind.state_field)
    with storage.open(old_name, "rb") as handle:
        new_name = storage.save(f"{QUARANTINE_DIR}/{secrets.token_hex(16)}", handle)
    try:
        with transaction.atomic():
            updated = kind.model.objects.filter(pk=row.pk, **{f"{kind.state_field}__in": PENDING_STATES}).update(
                **{kind.state_field: ScanState.INFECTED, kind.file_field: new_name}
            )
            if updated:
                audit_record(
                    action="security.quarantined",
                    obj=row,
                    before={"scan_state": before},
                    after={"scan_state": ScanState.INFECTED, "signature": signature,
                           "name": getattr(row, kind.name_field)},
                    reason="fichier infecté détecté par l’antivirus",
                    dossier_id=row.dossier_id,
                    call_id=row.dossier.wave.call_id,
                )
    except BaseException:
        storage.delete(new_name)
        raise
    storage.delete(old_name if updated else new_name)
    if updated:
        logger.warning("antivirus: %s %s quarantined, signature %s", kind.model._meta.label_lower, row.pk, signature)
    return bool(updated)
