"""The dossier's sections: place, one answer per criterion, budget, attachments, self-check.

Each section saves with a plain POST (works without JavaScript) and with htmx autosave: an htmx
request gets the small save-status fragment back, a plain request the whole page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fabriques.calls.models import Criterion
from fabriques.dossiers import domain, queries
from fabriques.dossiers import selfcheck as selfcheck_reads
from fabriques.dossiers.downloads import scanned_file_download
from fabriques.dossiers.forms import AnswerForm, AttachmentForm, BudgetForm, PlaceForm, SelfAssessmentForm
from fabriques.dossiers.views import dossier_context, dossier_or_404
from fabriques.security.degraded import DatabaseBusy, contention_refused


def _status(request, *, saved_at=None, error="", version=None, extra_template=None, extra=None, conflict=None,
            http_status=200):
    """The save-status fragment an autosave gets. A 503 (another write held the data too long) is not swapped in by
    htmx: autosave.js keeps the local copy and tries again."""
    context = {"saved_at": saved_at, "error": error, "version": version, "conflict": conflict, **(extra or {})}
    context["extra_template"] = extra_template
    return _retry_after(render(request, "dossiers/_save_status.html", context,
                               status=503 if http_status == 503 else 200))


def _retry_after(response):
    if response.status_code == 503:
        response["Retry-After"] = "2"
    return response


def _saved(request, dossier, name, section_url, **status_kwargs):
    if request.htmx:
        return _status(request, saved_at=timezone.localtime(), **status_kwargs)
    # The message takes the focus on the reloaded page (theme/messages.html): it is never lost to <body>.
    messages.success(request, f"{name} : enregistré à {timezone.localtime():%H:%M}.", extra_tags="fab-focus")
    return redirect(section_url)


@login_required
def place(request, uuid):
    dossier = dossier_or_404(request, uuid)
    initial = {"version": dossier.place_version, "name": dossier.place_name, "status": dossier.place_status,
               "address": dossier.place_address, "commune": dossier.place_commune,
               "latitude": dossier.place_latitude, "longitude": dossier.place_longitude}
    form = PlaceForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with contention_refused():
                    dossier = domain.place_save(
                        dossier=dossier, by=request.user, base_version=data["version"], name=data["name"],
                        status=data["status"], address=data["address"], commune=data["commune"],
                        latitude=data["latitude"], longitude=data["longitude"],
                    )
            except DatabaseBusy as exc:
                error, status = str(exc), 503
            except domain.DossierError as exc:
                error = str(exc)
            else:
                return _saved(request, dossier, "Le lieu", request.path, version=dossier.place_version,
                              extra_template="dossiers/_eligibility.html", extra={"dossier": dossier, "oob": True})
        else:
            error = "Non enregistré : corrigez les champs signalés."
        status = status if status != 200 else 400
        if request.htmx:
            return _status(request, error=error, http_status=status)
    context = dossier_context(request, dossier, "place", form=form, error=error)
    return _retry_after(render(request, "dossiers/place.html", context, status=status))


@login_required
def answer(request, uuid, code):
    dossier = dossier_or_404(request, uuid)
    criteria = Criterion.objects.all() if request.method == "POST" else Criterion.objects.prefetch_related("references")
    criterion = get_object_or_404(criteria, call=dossier.wave.call_id, code=code, tracks=dossier.track_id)
    current = None if request.method == "POST" else dossier.answers.filter(criterion=criterion).first()
    initial = {"version": current.version if current else 0, "text": current.text if current else ""}
    form = AnswerForm(request.POST or None, initial=initial, criterion=criterion)
    error, conflict, status = "", None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with contention_refused():
                    saved = domain.answer_save(dossier=dossier, criterion=criterion, text=form.cleaned_data["text"],
                                               base_version=form.cleaned_data["version"], by=request.user)
            except DatabaseBusy as exc:
                error, status = str(exc), 503
            except domain.ConflictError as exc:
                conflict, error, status = exc, str(exc), 409
            except domain.DossierError as exc:
                error, status = str(exc), 400
            else:
                return _saved(request, dossier, criterion.title, request.path, version=saved.version)
        else:
            error, status = "Non enregistré : " + " ".join(form.errors.get("text", ["saisie invalide."])), 400
        if request.htmx:
            return _status(request, error=error, conflict=conflict, extra={"mine": form.data.get("text", "")},
                           http_status=status if status == 503 else 200)
    context = dossier_context(request, dossier, f"answer-{criterion.code}", form=form, criterion=criterion,
                              error=error, conflict=conflict, mine=form.data.get("text", ""), current=current)
    return _retry_after(render(request, "dossiers/answer.html", context, status=status))


@login_required
def budget(request, uuid):
    dossier = dossier_or_404(request, uuid)
    years = dossier.track.duration_years
    lines = list(dossier.budget_lines.all())
    form = BudgetForm(request.POST or None, initial=BudgetForm.initial_from(lines, dossier.budget_version),
                      years=years)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with contention_refused():
                    dossier = domain.budget_save(dossier=dossier, by=request.user,
                                                 base_version=form.cleaned_data["version"], lines=form.lines())
            except DatabaseBusy as exc:
                error, status = str(exc), 503
            except domain.DossierError as exc:
                error = str(exc)
            else:
                summary = queries.budget_summary(dossier)
                return _saved(request, dossier, "Le budget", request.path, version=dossier.budget_version,
                              extra_template="dossiers/_budget_summary.html",
                              extra={"summary": summary, "track": dossier.track, "oob": True})
        else:
            error = "Non enregistré : corrigez les montants signalés."
        status = status if status != 200 else 400
        if request.htmx:
            return _status(request, error=error, http_status=status)
    context = dossier_context(request, dossier, "budget", form=form, error=error,
                              summary=queries.budget_summary(dossier, lines), track=dossier.track)
    return _retry_after(render(request, "dossiers/budget.html", context, status=status))


@login_required
def attachments(request, uuid):
    dossier = dossier_or_404(request, uuid)
    required_list = queries.required_attachments_for(dossier)
    files = list(dossier.attachments.select_related("uploaded_by"))
    errors, status = {}, 200
    if request.method == "POST":
        required = next((r for r in required_list if r.code == request.POST.get("code")), None)
        form = AttachmentForm(request.POST, request.FILES)
        if required is None:
            raise Http404("Pièce inconnue")
        if not form.is_valid():
            errors[required.code], status = "Choisissez un fichier à envoyer.", 400
        else:
            try:
                domain.attachment_add(dossier=dossier, required=required, upload=form.cleaned_data["file"],
                                      by=request.user)
            except domain.DossierError as exc:
                errors[required.code], status = str(exc), 400
            else:
                messages.success(request, f"« {required.label} » : fichier ajouté.")
                return redirect("dossiers:attachments", uuid=dossier.uuid)
    rows = [{"required": r, "files": [f for f in files if f.required_id == r.pk], "error": errors.get(r.code)}
            for r in required_list]
    context = dossier_context(request, dossier, "attachments", rows=rows)
    return render(request, "dossiers/attachments.html", context, status=status)


@login_required
def attachment_download(request, uuid, file_uuid):
    dossier = dossier_or_404(request, uuid)
    attachment = get_object_or_404(dossier.attachments, uuid=file_uuid)
    return scanned_file_download(request, file=attachment.file, state=attachment.scan_state,
                                 name=attachment.original_name, kind=attachment.detected_type)


@login_required
@require_POST
def attachment_delete(request, uuid, file_uuid):
    dossier = dossier_or_404(request, uuid)
    attachment = get_object_or_404(dossier.attachments.select_related("dossier__wave"), uuid=file_uuid)
    try:
        domain.attachment_remove(attachment=attachment, by=request.user)
    except domain.DossierError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Fichier « {attachment.original_name} » retiré.")
    return redirect("dossiers:attachments", uuid=dossier.uuid)


@login_required
def selfcheck(request, uuid):
    dossier = dossier_or_404(request, uuid)
    criteria = queries.criteria_for(dossier)
    ratings = dict(dossier.self_assessments.values_list("criterion_id", "maturity"))
    form = SelfAssessmentForm(request.POST or None, criteria=criteria,
                              initial={f"c{pk}": value for pk, value in ratings.items()})
    if request.method == "POST" and form.is_valid():
        domain.self_assessment_save(dossier=dossier, ratings=form.ratings(), by=request.user)
        messages.success(request, "Auto-évaluation enregistrée.")
        return redirect("dossiers:selfcheck", uuid=dossier.uuid)
    context = dossier_context(request, dossier, "selfcheck", form=form, check=selfcheck_reads.selfcheck(dossier))
    return render(request, "dossiers/selfcheck.html", context)
