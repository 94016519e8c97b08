"""The dossier as one file for agents: its deposited version as a PDF, and a ZIP of that PDF with every file.

Both are read from the last deposited version (its snapshot and the files whose fingerprints it lists), never from
the applicant's later edits. The ZIP is written as it is sent (zipfile on an unseekable stream, data descriptors).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from django.utils import timezone

from fabriques.dossiers.filetypes import download_name, safe_name
from fabriques.dossiers.models import Dossier, DossierVersion
from fabriques.dossiers.proof import PRINT_CSS, proof_html
from fabriques.security.antivirus import ScanState

CHUNK = 1 << 16


def last_version(dossier: Dossier) -> DossierVersion | None:
    return dossier.versions.select_related("deposited_by").order_by("-number").first()


def bundle_basename(dossier: Dossier) -> str:
    return f"dossier-{dossier.reference or dossier.uuid}"


def dossier_html(*, dossier: Dossier, version: DossierVersion, by) -> str:
    """The PDF's HTML: the deposited version (answers, budget, place, eligibility, attachments with fingerprints)."""
    instruction = getattr(dossier, "instruction", None)
    report = version.snapshot.get("eligibility") or {}
    return proof_html(version, template="instruction/dossier_pdf.html", extra={
        "eligibility": report.get("results", []),
        "overrides": list(instruction.checks.filter(overrides_failure=True).select_related("confirmed_by"))
        if instruction else [],
        "printed_at": timezone.localtime(), "printed_by": by.email, "state": dossier.get_state_display(),
    })


def dossier_pdf(*, dossier: Dossier, version: DossierVersion, by) -> bytes:
    """The dossier's HTML drawn by WeasyPrint with the proof of deposit's paper stylesheet."""
    from weasyprint import CSS, HTML

    html = dossier_html(dossier=dossier, version=version, by=by)
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))])


def deposited_files(dossier: Dossier, version: DossierVersion):
    """The dossier's files that the deposited version lists (by fingerprint), in the order of the call's list."""
    hashes = {a["sha256"] for a in version.snapshot.get("attachments", [])}
    return [a for a in dossier.attachments.select_related("required").order_by("required__position", "uploaded_at")
            if a.sha256 in hashes]


class _Sink:
    """A write-only file for zipfile whose bytes are taken out as they come (nothing kept but the current chunk)."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.written = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def zip_entries(dossier: Dossier, version: DossierVersion) -> tuple[list[tuple[str, object]], list[str]]:
    """(clean name in the ZIP, attachment) for each file that may be served, and the French notes on those left out
    (quarantined by the antivirus: never served, as the single download refuses them)."""
    entries, notes = [], []
    for position, item in enumerate(deposited_files(dossier, version), start=1):
        if item.scan_state == ScanState.INFECTED:
            notes.append(f"« {item.original_name} » ({item.required.label}) n’est pas joint : l’antivirus l’a mis "
                         "en quarantaine.")
            continue
        clean = download_name(safe_name(item.original_name), item.detected_type)
        # The position keeps every name unique (two files may share a name); the code says which required piece.
        name = f"pieces/{position:02d}-{safe_name(item.required.code)}-{clean}"
        entries.append((name, item))
    return entries, notes


def dossier_zip_stream(*, dossier: Dossier, version: DossierVersion, by) -> Iterator[bytes]:
    """The ZIP (the PDF, then each file of the deposited version, then a note on what was left out), as chunks."""
    base = bundle_basename(dossier)
    entries, notes = zip_entries(dossier, version)
    pdf = dossier_pdf(dossier=dossier, version=version, by=by)
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{base}/{base}.pdf", pdf)
        yield sink.take()
        for name, item in entries:
            with item.file.open("rb") as source, archive.open(f"{base}/{name}", "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield sink.take()
        if notes:
            archive.writestr(f"{base}/LISEZMOI.txt", "\n".join(notes) + "\n")
    yield sink.take()
