"""What an uploaded file really is, read from its bytes (never from its name)."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import PurePosixPath, PureWindowsPath

PDF = b"%PDF-"
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
ZIP = b"PK\x03\x04"

ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.text": "odt",
}
OOXML_PARTS = {"xl/workbook.xml": "xlsx", "word/document.xml": "docx"}
# Names people use for the same type.
ALIASES = {"jpeg": "jpg"}
LABELS = {
    "pdf": "PDF", "png": "image PNG", "jpg": "image JPEG", "xlsx": "tableur Excel (.xlsx)",
    "ods": "tableur OpenDocument (.ods)", "odt": "texte OpenDocument (.odt)", "docx": "document Word (.docx)",
}


def _office_type(fileobj) -> str | None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return ODF_MIMETYPES.get(mimetype)
            if "[Content_Types].xml" in names:
                for part, kind in OOXML_PARTS.items():
                    if part in names:
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return None
    return None


def detect_type(fileobj) -> str | None:
    """The file's type from its magic numbers (ZIP containers opened to tell xlsx/docx/ods/odt apart)."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    kind = None
    if head.startswith(PDF):
        kind = "pdf"
    elif head.startswith(PNG):
        kind = "png"
    elif head.startswith(JPEG):
        kind = "jpg"
    elif head.startswith(ZIP):
        kind = _office_type(fileobj)
    fileobj.seek(0)
    return kind


# The Content-Type a download is served with: from the type read in the bytes, never from the uploaded name.
MIME_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ods": "application/vnd.oasis.opendocument.spreadsheet", "odt": "application/vnd.oasis.opendocument.text",
}


def download_name(name: str, kind: str | None) -> str:
    """The name a download is saved under: the uploaded name, with the detected type's extension added when the
    name says otherwise (`page.html` holding a PDF is saved as `page.html.pdf`)."""
    if not kind:
        return name
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    return name if ALIASES.get(suffix, suffix) == kind else f"{name}.{kind}"


def normalise_types(types) -> set[str]:
    return {ALIASES.get(t.lower(), t.lower()) for t in types}


def types_label(types) -> str:
    return ", ".join(LABELS.get(t, t) for t in sorted(normalise_types(types)))


_UNSAFE = re.compile(r"[^\w .()\-]+")


def safe_name(name: str) -> str:
    """A display name for an uploaded file: no path, no control characters, at most 120 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" .") or "fichier"
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 110] + dot + ext[:8]) if dot else base[:120]
    return base
