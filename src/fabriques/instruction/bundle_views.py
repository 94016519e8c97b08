"""« Télécharger le dossier (PDF) » and « Télécharger tout (ZIP) » for the agents who see the dossier."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse

from fabriques.instruction import bundle
from fabriques.instruction.views import _agent_dossier


def _deposited(request, uuid):
    """The dossier (through the agents' visibility rule: a 404 otherwise) and its last deposited version."""
    dossier = _agent_dossier(request, uuid)
    version = bundle.last_version(dossier)
    if version is None:
        raise Http404("Ce dossier n’a pas de version déposée.")
    return dossier, version


def _private(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def dossier_pdf(request, uuid):
    dossier, version = _deposited(request, uuid)
    pdf = bundle.dossier_pdf(dossier=dossier, version=version, by=request.user)
    return _private(HttpResponse(pdf, content_type="application/pdf"),
                    f"{bundle.bundle_basename(dossier)}-v{version.number}.pdf")


@login_required
def dossier_zip(request, uuid):
    dossier, version = _deposited(request, uuid)
    stream = bundle.dossier_zip_stream(dossier=dossier, version=version, by=request.user)
    return _private(StreamingHttpResponse(stream, content_type="application/zip"),
                    f"{bundle.bundle_basename(dossier)}-v{version.number}.zip")
