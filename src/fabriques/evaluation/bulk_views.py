"""The dashboard's bulk acts: the rows ticked, one action, a confirmation page with the count, then the acts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fabriques.evaluation import bulk


def _chosen(queryset, values) -> list:
    ids = [v for v in values if v.isdigit()]
    return list(queryset.filter(pk__in=ids)) if ids else []


@login_required
@require_POST
def bulk_act(request):
    """First POST (from the dashboard): the confirmation page. Second POST (`confirm`): the acts, or the page again
    with the refusal and what was typed (400)."""
    action = request.POST.get("action", "")
    dossiers = bulk.bulk_dossiers(request.user, [u for u in request.POST.getlist("dossiers") if len(u) <= 36])
    if action not in bulk.ACTIONS or not dossiers:
        messages.error(request, "Cochez au moins un dossier que vous instruisez, puis choisissez une action.")
        return redirect("instruction:dashboard")
    instructors = list(bulk.instructor_choices(dossiers)) if action == "instructor" else []
    evaluators = list(bulk.evaluator_choices(dossiers)) if action == "evaluators" else []
    chosen_instructor = _chosen(bulk.instructor_choices(dossiers), [request.POST.get("instructor", "")])
    chosen_evaluators = _chosen(bulk.evaluator_choices(dossiers), request.POST.getlist("evaluators"))
    body = request.POST.get("body", "")
    error, status = None, 200
    if "confirm" in request.POST:
        try:
            count = bulk.bulk_run(action=action, dossiers=dossiers, by=request.user,
                                  instructor=chosen_instructor[0] if chosen_instructor else None,
                                  evaluators=chosen_evaluators, body=body)
        except bulk.BulkError as exc:
            error, status = exc.message, 400
        else:
            messages.success(request, f"{bulk.ACTIONS[action]} : fait pour {count} dossier{'s' if count > 1 else ''}.")
            return redirect("instruction:dashboard")
    return render(request, "evaluation/bulk_confirm.html", {
        "action": action, "action_label": bulk.ACTIONS[action], "dossiers": dossiers, "count": len(dossiers),
        "instructors": instructors, "evaluators": evaluators, "body": body, "error": error,
        "chosen_instructor": chosen_instructor[0].pk if chosen_instructor else None,
        "chosen_evaluators": {e.pk for e in chosen_evaluators},
    }, status=status)
