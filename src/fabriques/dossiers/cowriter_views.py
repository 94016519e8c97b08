"""Revoking and resending co-writer invitations (POST only; the list lives on the co-writers page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from fabriques.dossiers import cowriters, queries
from fabriques.dossiers.domain import DossierError


def _invitation(request, uuid, pk):
    dossier = queries.dossier_for(request.user, uuid)
    if dossier is None:
        raise Http404("Dossier introuvable")
    return get_object_or_404(dossier.cowriters.select_related("dossier__wave", "dossier__organisation"), pk=pk)


@login_required
@require_POST
def cowriter_revoke(request, uuid, pk: int):
    invitation = _invitation(request, uuid, pk)
    try:
        cowriters.cowriter_revoke(invitation=invitation, by=request.user)
    except DossierError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"L’invitation de {invitation.email} est retirée.")
    return redirect("dossiers:cowriters", uuid=uuid)


@login_required
@require_POST
def cowriter_resend(request, uuid, pk: int):
    invitation = _invitation(request, uuid, pk)
    try:
        cowriters.cowriter_resend(invitation=invitation, by=request.user)
    except DossierError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Invitation envoyée à nouveau à {invitation.email}.")
    return redirect("dossiers:cowriters", uuid=uuid)
