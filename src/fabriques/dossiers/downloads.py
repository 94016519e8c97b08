"""Downloads of uploaded files (dossiers' attachments, messages' attachments, evaluators' copies): a file the
antivirus found infected is never served; the others are typed from their bytes, never from their name."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.shortcuts import render

from fabriques.dossiers.filetypes import MIME_TYPES, detect_type, download_name
from fabriques.security.antivirus import ScanState

QUARANTINED_MESSAGE = (
    "Ce fichier a été mis en quarantaine : l’antivirus y a détecté un contenu malveillant. "
    "Il ne peut pas être téléchargé. Demandez à la personne qui l’a déposé d’envoyer une copie saine."
)


def scanned_file_download(request, *, file, state: str, name: str, kind: str | None = None) -> HttpResponse:
    """The stored `file` as an attachment, or a French refusal page (403) when its scan `state` is infected.

    `kind` is the type detected at upload (read from the bytes now when not stored); the response is kept out of
    every cache."""
    if state == ScanState.INFECTED:
        return render(request, "security/quarantined.html", {"message": QUARANTINED_MESSAGE, "name": name},
                      status=403)
    fileobj = file.open("rb")
    kind = kind or detect_type(fileobj)
    response = FileResponse(fileobj, as_attachment=True, filename=download_name(name, kind),
                            content_type=MIME_TYPES.get(kind, "application/octet-stream"))
    response["Cache-Control"] = "private, no-store"
    return response
