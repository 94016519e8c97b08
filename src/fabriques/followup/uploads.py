"""Uploaded files of the follow-up (signed agreement, report attachments), checked like the dossier's attachments:
by their bytes (`dossiers.filetypes`) and the antivirus (`security.antivirus`), hashed, stored under a random name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fabriques.dossiers.filetypes import detect_type, normalise_types, safe_name, types_label
from fabriques.security.antivirus import scan_upload


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    sha256: str
    name: str
    scan_state: str


def upload_check(upload, *, allowed, max_mb: int, error) -> CheckedUpload:
    """Refuse (raising `error(message)`) an empty, too large, wrongly typed or infected file; else describe it."""
    if upload is None:
        raise error("Choisissez un fichier à envoyer.")
    if upload.size == 0:
        raise error("Le fichier est vide.")
    if upload.size > max_mb * 1024 * 1024:
        raise error(f"Le fichier pèse {upload.size / (1024 * 1024):.1f} Mo : la limite est de {max_mb} Mo.")
    kind = detect_type(upload)
    allowed = normalise_types(allowed)
    if kind not in allowed:
        raise error(
            f"Le contenu de ce fichier ne correspond pas à un format accepté ({types_label(allowed)}), "
            "quel que soit son nom. Enregistrez-le dans l’un de ces formats puis envoyez-le à nouveau."
        )
    verdict = scan_upload(upload)
    if verdict.refusal:
        raise error(verdict.refusal)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(kind=kind, sha256=digest.hexdigest(), name=safe_name(upload.name), scan_state=verdict.state)
