"""Evaluation pages: evaluators and assignments (instructors, admins), declarations and grids (evaluators)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fabriques.accounts.capabilities import calls_with, roles_with
from fabriques.accounts.models import User
from fabriques.calls.models import Wave
from fabriques.dossiers import queries as dossier_queries
from fabriques.dossiers.downloads import scanned_file_download
from fabriques.dossiers.enums import DECISION_STATES, EVALUATION_STATES
from fabriques.dossiers.models import Dossier
from fabriques.evaluation import queries, rules
from fabriques.evaluation.assignments import (
    ASSIGNABLE_STATES,
    assignment_create,
    assignments_auto,
    conflict_declare,
)
from fabriques.evaluation.assignments import assignment_remove as remove_assignment  # the view has the domain's name
from fabriques.evaluation.enums import AssignmentState, EvaluationState
from fabriques.evaluation.forms import (
    DeclarationForm,
    GridForm,
    ManualAssignForm,
    ReasonForm,
    ScopeForm,
    WaveSettingsForm,
)
from fabriques.evaluation.models import Assignment, DossierScore, Evaluation
from fabriques.evaluation.organisation_conflicts import organisation_conflicts
from fabriques.evaluation.scoring import ScoresInvalidError, evaluation_save_draft, evaluation_submit
from fabriques.evaluation.scoring import evaluation_reopen as reopen_evaluation  # the view has the domain's name
from fabriques.evaluation.wave_settings import evaluator_scope_set, wave_settings_save
from fabriques.refusal import Refusal, refusal_to_form, refusal_to_messages


def _managed_wave(request, wave_id: int) -> Wave:
    wave = get_object_or_404(Wave.objects.select_related("call"), pk=wave_id)
    if not rules.can_manage_assignments(request.user, wave.call):
        raise PermissionDenied
    return wave


def _managed_dossier(request, uuid, *, decided_too: bool = False) -> Dossier:
    """A dossier being evaluated; with `decided_too`, also one whose decision is applied (read-only pages)."""
    states = EVALUATION_STATES | DECISION_STATES if decided_too else EVALUATION_STATES
    dossier = get_object_or_404(
        Dossier.objects.select_related("wave__call", "track", "place_commune", "organisation"),
        uuid=uuid, state__in=states,
    )
    _check_manages(request, dossier)
    return dossier


def _check_manages(request, dossier) -> None:
    """403 for whoever manages no evaluation of the call; 404 for an instructor of another group (scoped like
    instruction: the dossier does not exist for them)."""
    if not rules.can_manage_assignments(request.user, dossier.wave.call):
        raise PermissionDenied
    if not rules.can_manage_dossier_evaluation(request.user, dossier):
        raise Http404("Dossier introuvable")


def _my_assignment(request, pk: int, state: str, *, decided_too: bool = False) -> Assignment:
    """The user's own assignment in `state`, or 404: nobody else's assignment exists for them.

    With `decided_too`, the dossier may also be decided (the evaluator still reads their grid, locked)."""
    states = EVALUATION_STATES | DECISION_STATES if decided_too else EVALUATION_STATES
    return get_object_or_404(
        Assignment.objects.select_related("dossier__wave__call", "dossier__track", "dossier__place_commune",
                                          "dossier__organisation", "dossier__owner"),
        pk=pk, evaluator=request.user, state=state, dossier__state__in=states,
    )


# --- Instructors and admins ----------------------------------------------------------------------


@login_required
def waves(request):
    managed = calls_with(request.user, "evaluation.assign")
    found = Wave.objects.select_related("call").order_by("call__title", "opens_at")
    if not request.user.is_superuser:
        found = found.filter(call_id__in=managed)
    return render(request, "evaluation/waves.html", {"waves": found})


@login_required
def evaluators(request, wave_id: int):
    wave = _managed_wave(request, wave_id)
    people = list(queries.evaluators_of_call(wave.call, wave))
    return render(request, "evaluation/evaluators.html", {
        "wave": wave, "people": people, "settings": queries.settings_for_wave(wave.pk),
        "to_fill": queries.places_to_fill(wave, rules.managed_dossiers(request.user)),
        "can_edit_settings": rules.can_edit_wave_settings(request.user, wave.call),
    })


@login_required
def scope_edit(request, wave_id: int, user_id: int):
    wave = _managed_wave(request, wave_id)
    if not rules.can_edit_evaluator_scopes(request.user, wave.call):
        raise PermissionDenied
    person = get_object_or_404(User, pk=user_id, call_roles__call=wave.call,
                               call_roles__role__in=roles_with("evaluation.evaluate"))
    scopes = list(person.evaluator_scopes.filter(call=wave.call))
    initial = {
        "tracks": sorted({str(s.track_id) for s in scopes if s.track_id}),
        "regions": ", ".join(sorted({s.region_code for s in scopes if s.region_code})),
    }
    form = ScopeForm(request.POST or None, call=wave.call, initial=initial)
    if request.method == "POST" and form.is_valid():
        evaluator_scope_set(user=person, call=wave.call, by=request.user,
                                   track_ids=[int(t) for t in form.cleaned_data["tracks"]],
                                   region_codes=form.cleaned_data["regions"])
        messages.success(request, f"Périmètre de {person.email} enregistré.")
        return redirect("evaluation:evaluators", wave_id=wave.pk)
    return render(request, "evaluation/scope_edit.html", {"wave": wave, "person": person, "form": form})


@login_required
def assign_auto(request, wave_id: int):
    wave = _managed_wave(request, wave_id)
    summary = None
    within = rules.managed_dossiers(request.user)  # an instructor assigns only their groups' dossiers
    if request.method == "POST":
        summary = assignments_auto(wave=wave, by=request.user, within=within)
    waiting = within.filter(wave=wave, state__in=ASSIGNABLE_STATES).count()
    return render(request, "evaluation/assign_auto.html", {
        "wave": wave, "summary": summary, "waiting": waiting, "settings": queries.settings_for_wave(wave.pk),
    })


@login_required
def wave_settings(request, wave_id: int):
    wave = get_object_or_404(Wave.objects.select_related("call"), pk=wave_id)
    if not rules.can_edit_wave_settings(request.user, wave.call):
        raise PermissionDenied
    current = queries.settings_for_wave(wave.pk)
    initial = {f: getattr(current, f) for f in WaveSettingsForm.base_fields}
    form = WaveSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            wave_settings_save(wave=wave, by=request.user, **form.cleaned_data)
        except Refusal as exc:  # the transitions it runs refuse too
            refusal_to_form(form, exc)
        else:
            messages.success(request, "Réglages d’évaluation enregistrés.")
            return redirect("evaluation:evaluators", wave_id=wave.pk)
    return render(request, "evaluation/wave_settings.html", {"wave": wave, "form": form})


@login_required
def dossier_assignments(request, uuid):
    dossier = _managed_dossier(request, uuid, decided_too=request.method == "GET")
    form = ManualAssignForm(request.POST or None, evaluators=_assignable_evaluators(dossier))
    if request.method == "POST" and form.is_valid():
        try:
            assignment_create(dossier=dossier, evaluator=form.cleaned_data["evaluator"], by=request.user)
        except Refusal as exc:  # the transitions it runs refuse too
            form.add_error("evaluator", str(exc))
        else:
            messages.success(request, f"{form.cleaned_data['evaluator'].email} est désigné sur ce dossier.")
            return redirect("evaluation:dossier_assignments", uuid=dossier.uuid)
    return _assignments_page(request, dossier, form=form)


def _assignable_evaluators(dossier):
    taken = Assignment.objects.filter(dossier=dossier).exclude(state=AssignmentState.REMOVED).values("evaluator_id")
    return User.objects.filter(
        Q(call_roles__call=dossier.wave.call, call_roles__role__in=roles_with("evaluation.evaluate"))
    ).exclude(pk__in=taken).order_by("email")


def _assignments_page(request, dossier, *, form=None, reopen_form=None, reopen_pk=None, status=200):
    """A dossier's assignments page; a refused reopening comes back with its reason typed and the error."""
    assignments = queries.dossier_assignments(dossier)
    form = form or ManualAssignForm(evaluators=_assignable_evaluators(dossier))
    candidates = list(form.fields["evaluator"].queryset)
    people = {a.evaluator_id: a.evaluator for a in assignments} | {u.pk: u for u in candidates}
    across = organisation_conflicts(dossiers=[dossier], evaluator_ids=list(people))
    wanted = queries.settings_for_wave(dossier.wave_id).evaluators_per_dossier
    in_play = sum(a.state in queries.IN_PLAY for a in assignments)
    return render(request, "evaluation/dossier_assignments.html", {
        "dossier": dossier, "assignments": assignments, "form": form,
        "organisation_conflicts": [
            {"evaluator": people[e], "reference": c.reference,
             "assigned": any(a.evaluator_id == e and a.state in queries.IN_PLAY for a in assignments)}
            for (_, e), c in sorted(across.items(), key=lambda item: people[item[0][1]].email)
        ],
        "wanted": wanted, "missing": max(wanted - in_play, 0), "full": in_play >= wanted,
        "reason_form": reopen_form or ReasonForm(), "reopen_pk": reopen_pk,
        "score": DossierScore.objects.filter(dossier=dossier).first(),
        "decided": dossier.state not in EVALUATION_STATES,
    }, status=status)


@login_required
@require_POST
def assignment_remove(request, pk: int):
    assignment = get_object_or_404(Assignment.objects.select_related("dossier__wave__call"), pk=pk)
    _check_manages(request, assignment.dossier)
    try:
        remove_assignment(assignment=assignment, by=request.user, reason=request.POST.get("reason", ""))
    except Refusal as exc:  # the transitions it runs refuse too
        refusal_to_messages(request, exc)
    else:
        messages.success(request, "L’évaluateur a été retiré du dossier.")
    return redirect("evaluation:dossier_assignments", uuid=assignment.dossier.uuid)


@login_required
@require_POST
def evaluation_reopen(request, pk: int):
    evaluation = get_object_or_404(Evaluation.objects.select_related("assignment__dossier__wave__call"), pk=pk)
    dossier = evaluation.assignment.dossier
    _check_manages(request, dossier)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            reopen_evaluation(evaluation=evaluation, by=request.user, reason=form.cleaned_data["reason"])
        except Refusal as exc:  # the transitions it runs refuse too
            form.add_error("reason", str(exc))
        else:
            messages.success(request, "L’évaluation est rouverte ; l’évaluateur peut la modifier.")
            return redirect("evaluation:dossier_assignments", uuid=dossier.uuid)
    dossier = _managed_dossier(request, dossier.uuid)
    return _assignments_page(request, dossier, reopen_form=form, reopen_pk=evaluation.pk, status=400)


# --- Evaluators ----------------------------------------------------------------------------------


@login_required
def mine(request):
    """The evaluator's dossiers: what is still to do first, then the finished ones."""
    assignments = list(queries.my_assignments(request.user))
    return render(request, "evaluation/mine.html", {
        "todo": [a for a in assignments if a.todo], "done": [a for a in assignments if not a.todo],
    })


@login_required
def declare(request, pk: int):
    assignment = _my_assignment(request, pk, AssignmentState.AWAITING_DECLARATION)
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        conflict_declare(assignment=assignment, has_conflict=data["has_conflict"], kind=data["kind"],
                                details=data["details"], by=request.user)
        if data["has_conflict"]:
            messages.info(request, f"Conflit déclaré : le dossier {assignment.dossier.reference} vous est retiré ; "
                                   "les instructeurs en sont informés et votre place est confiée à quelqu’un d’autre.")
            return redirect("evaluation:mine")
        return redirect("evaluation:grid", pk=assignment.pk)
    hidden = queries.settings_for_wave(assignment.dossier.wave_id).hide_applicant_identity
    return render(request, "evaluation/declare.html", {
        "assignment": assignment, "form": form, "hide_identity": hidden,
        "applicant": None if hidden else queries.applicant_people(assignment.dossier),
    })


def _deposited_attachments(dossier, deposited):
    """The dossier's files that belong to its deposited version (the evaluator reads what was deposited)."""
    if deposited is None:
        return []
    return [a for a in dossier.attachments.select_related("required").order_by("required__position", "uploaded_at")
            if a.sha256 in deposited.attachment_hashes]


@login_required
def attachment(request, pk: int, file_uuid):
    """An evaluator downloads a file of the deposited version of a dossier they evaluate (never when identities
    are hidden: the files name the applicant)."""
    assignment = _my_assignment(request, pk, AssignmentState.ACTIVE, decided_too=True)
    dossier = assignment.dossier
    if queries.settings_for_wave(dossier.wave_id).hide_applicant_identity:
        raise PermissionDenied
    found = [a for a in _deposited_attachments(dossier, dossier_queries.deposited_version(dossier))
             if str(a.uuid) == str(file_uuid)]
    if not found:
        raise Http404("Pièce introuvable")
    item = found[0]
    return scanned_file_download(request, file=item.file, state=item.scan_state, name=item.original_name,
                                 kind=item.detected_type)


@login_required
def grid(request, pk: int):
    assignment = _my_assignment(request, pk, AssignmentState.ACTIVE, decided_too=True)
    evaluation = assignment.evaluation
    dossier = assignment.dossier
    deposited = dossier_queries.deposited_version(dossier)
    lines = queries.grid_lines(dossier, deposited)
    criteria = [line.criterion for line in lines]
    decided = dossier.state not in EVALUATION_STATES
    locked = evaluation.state == EvaluationState.SUBMITTED or decided
    form = GridForm(None if locked else (request.POST or None), criteria=criteria,
                    initial=GridForm.initial_from(evaluation))
    if request.method == "POST" and not locked and form.is_valid():
        scores, action = form.score_inputs(), request.POST.get("action")
        if not form.errors:
            data = {"evaluation": evaluation, "scores": scores, "opinion": form.cleaned_data["opinion"],
                    "summary": form.cleaned_data["summary"], "by": request.user}
            try:
                if action == "submit":
                    evaluation_submit(**data)
                else:
                    evaluation_save_draft(**data)
            except ScoresInvalidError as exc:
                for name, message in exc.errors.items():
                    form.add_error(None if name == "__all__" else name, message)
            except Refusal as exc:  # the transitions it runs refuse too
                refusal_to_form(form, exc)
            else:
                # The message takes the focus after the reload (theme/messages.html): never lost to <body>.
                messages.success(request, "Évaluation soumise." if action == "submit" else "Brouillon enregistré.",
                                 extra_tags="fab-focus")
                return redirect("evaluation:grid", pk=assignment.pk)
    settings = queries.settings_for_wave(dossier.wave_id)
    stored = {s.criterion_id: s for s in evaluation.scores.all()} if locked else {}
    show_peers = rules.can_see_peer_evaluations(request.user, dossier)
    return render(request, "evaluation/grid.html", {
        "deposited": deposited, "budget": queries.budget_table(deposited),
        "reopen_reason": queries.reopen_reason(evaluation),
        "attachments": _deposited_attachments(dossier, deposited) if not settings.hide_applicant_identity else None,
        "assignment": assignment, "dossier": dossier, "evaluation": evaluation, "form": form, "locked": locked,
        "decided": decided,
        "rows": [(line, score_field, comment_field, stored.get(line.criterion.pk))
                 for line, (_, score_field, comment_field) in zip(lines, form.pairs(), strict=True)],
        "hide_identity": settings.hide_applicant_identity,
        "peers": queries.peer_evaluations(assignment) if show_peers else None,
    })

