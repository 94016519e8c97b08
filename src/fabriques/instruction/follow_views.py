"""Agents' « Suivre » and « Attribuer à un instructeur » on a dossier's instruction page."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from fabriques.instruction import follow as domain
from fabriques.instruction import rules
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.views import _agent_dossier


@login_required
@require_POST
def follow(request, uuid):
    dossier = _agent_dossier(request, uuid)
    following = domain.follow_set(dossier=dossier, user=request.user, follow=request.POST.get("follow") == "1")
    messages.success(request, "Vous suivez ce dossier : ses changements figureront dans votre récapitulatif quotidien."
                     if following else "Vous ne suivez plus ce dossier.")
    return redirect("instruction:dossier", uuid=dossier.uuid)


@login_required
@require_POST
def assign(request, uuid):
    dossier = _agent_dossier(request, uuid)
    if not rules.can_instruct(request.user, dossier):
        raise PermissionDenied
    chosen = request.POST.get("instructor", "")
    instructor = get_user_model().objects.filter(pk=chosen).first() if chosen.isdigit() else None
    try:
        if chosen and instructor is None:
            raise InstructionError("Choisissez un instructeur dans la liste.")
        domain.instruction_assign(dossier=dossier, instructor=instructor, by=request.user)
    except InstructionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Dossier attribué à {instructor.email}." if instructor else
                         "Le dossier n’est plus attribué.")
    return redirect("instruction:dossier", uuid=dossier.uuid)


@login_required
@require_POST
def labels(request, uuid):
    from fabriques.instruction.labels import labels_set

    dossier = _agent_dossier(request, uuid)
    if not rules.can_instruct(request.user, dossier):
        raise PermissionDenied
    try:
        names = labels_set(dossier=dossier, text=request.POST.get("labels", ""), by=request.user)
    except InstructionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Étiquettes : " + ", ".join(names) + "." if names else "Plus aucune étiquette.")
    return redirect("instruction:dossier", uuid=dossier.uuid)
