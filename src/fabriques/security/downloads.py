"""Downloads of uploaded files: a file the antivirus found infected is never served."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

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
