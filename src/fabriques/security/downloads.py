"""Downloads of uploaded files: a file the antivirus found infected is never served; the others are typed from
their bytes."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.shortcuts import render

from fabriques.dossiers.filetypes import MIME_TYPES, detect_type, download_name
from fabriques.security.antivirus import ScanState

QUARANTINED_MESSAGE = (
    "Ce fichier a été mis en quarantaine : l’antivirus y a détecté un contenu malveillant. "
    "Il ne peut pas être téléchargé. Demandez à la personne qui l’a déposé d’envoyer une copie saine."
)


def quarantined_response(request, *, state: str, name: str) -> HttpResponse | None:
    """A French refusal page (403) for an infected file; None when the file may be served."""
    if state != ScanState.INFECTED:
        return None
    return render(request, "security/quarantined.html", {"message": QUARANTINED_MESSAGE, "name": name}, status=403)


def file_download(fileobj, *, name: str, kind: str | None = None) -> FileResponse:
    """An uploaded file as an attachment typed from its bytes (`kind` as stored, else read now), never from its name,
    and kept out of every cache."""
    kind = kind or detect_type(fileobj)
    response = FileResponse(fileobj, as_attachment=True, filename=download_name(name, kind),
                            content_type=MIME_TYPES.get(kind, "application/octet-stream"))
    response["Cache-Control"] = "private, no-store"
    return response
