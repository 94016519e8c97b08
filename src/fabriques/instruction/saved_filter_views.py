"""« Enregistrer ce filtre » and « Supprimer » on the agents' dashboard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from fabriques.instruction import rules
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.saved_filters import clean_query, saved_filter_delete, saved_filter_save


def _dashboard(query: str):
    return redirect(reverse("instruction:dashboard") + (f"?{query}" if query else ""))


@login_required
@require_POST
def save(request):
    if not rules.is_agent(request.user):
        raise PermissionDenied
    query = request.POST.get("query", "")
    try:
        saved = saved_filter_save(user=request.user, name=request.POST.get("name", ""), query=query)
    except InstructionError as exc:
        messages.error(request, str(exc))
        return _dashboard(clean_query(query))
    messages.success(request, f"Filtre « {saved.name} » enregistré.")
    return _dashboard(saved.query)


@login_required
@require_POST
def delete(request, pk: int):
    if not rules.is_agent(request.user):
        raise PermissionDenied
    saved_filter_delete(user=request.user, pk=pk)
    messages.success(request, "Filtre supprimé.")
    return redirect("instruction:dashboard")
