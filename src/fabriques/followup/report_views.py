"""The yearly report: the laureate's form (autosave like the dossier, plain POST without JavaScript), its
attachments and deposit, the agent's review. A refused save or deposit shows the page again with every typed
value kept and each wrong field named."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fabriques.accounts.capabilities import require
from fabriques.followup import reporting, rules
from fabriques.followup.domain import FollowupError
from fabriques.followup.enums import APPLICANT_EDITABLE_REPORT_STATES, AgreementState, ReportSection, ReportState
from fabriques.followup.forms import FileForm
from fabriques.followup.models import Report
from fabriques.followup.pdf import report_proof_filename, report_proof_pdf
from fabriques.formatting import euros
from fabriques.security.degraded import DatabaseBusy, contention_refused


def report_for(user, uuid) -> Report:
    queryset = rules.reports_visible_to(user).select_related(
        "agreement__call", "agreement__dossier__organisation", "agreement__dossier__track")
    return get_object_or_404(queryset, uuid=uuid)


def _typed(request) -> tuple[dict, dict, str]:
    post = request.POST
    values = {k[4:]: v for k, v in post.items() if k.startswith("ind-")}
    categories = {k[6:] for k in post if k.startswith("spent-")} | {k[8:] for k in post if k.startswith("explain-")}
    spending = {c: (post.get(f"spent-{c}", ""), post.get(f"explain-{c}", "")) for c in categories}
    return values, spending, post.get("narrative", "")


def _stored(report: Report, indicators, lines) -> tuple[dict, dict, str]:
    stored = {v.indicator_id: v for v in report.values.all()}
    values = {i.code: reporting._value_text(stored.get(i.pk), i) for i in indicators}
    spending = {ln.category: ("" if ln.spent_eur is None else str(ln.spent_eur), ln.explanation) for ln in lines}
    return values, spending, report.narrative


def _page(request, report, *, typed=None, errors=None, error="", status=200, review_typed=None):
    agreement = report.agreement
    indicators = reporting.indicators_for(report)
    lines = reporting.spending_ensure(report=report)
    values, spending, narrative = typed or _stored(report, indicators, lines)
    errors = errors or {}
    can_write = (rules.can_write_report(request.user, report) and report.state in APPLICANT_EDITABLE_REPORT_STATES
                 and agreement.state in (AgreementState.IN_FORCE, AgreementState.SIGNED))
    rows = [{"indicator": i, "name": f"ind-{i.code}", "value": values.get(i.code, ""),
             "error": errors.get(f"ind-{i.code}", "")} for i in indicators]
    spending_rows = []
    for ln in lines:
        spent, explanation = spending.get(ln.category, ("", ""))
        spending_rows.append({"line": ln, "spent": spent, "explanation": explanation,
                              "error": errors.get(f"spent-{ln.category}", ""),
                              "explain_error": errors.get(f"explain-{ln.category}", "")})
    return render(request, "followup/report.html", {
        "report": report, "agreement": agreement, "rows": rows, "spending": spending_rows, "narrative": narrative,
        "narrative_error": errors.get("narrative", ""), "error": error, "can_write": can_write,
        "can_review": rules.can_manage(request.user, agreement) and report.state == ReportState.DEPOSITED,
        "attachments": report.attachments.order_by("uploaded_at"),
        "versions": report.versions.select_related("deposited_by").order_by("-number"),
        "comments": report.comments.select_related("by").order_by("-version_number", "section"),
        "sections": ReportSection.choices, "review_typed": review_typed or {},
        "review_error": errors.get("comments", ""), "upload_form": FileForm(),
        "budgeted_total": euros(sum(ln.budgeted_eur for ln in lines)),
        "spent_total": euros(sum(ln.spent_eur or 0 for ln in lines)), "today": timezone.localdate(),
    }, status=status)


@login_required
def report_page(request, uuid):
    report = report_for(request.user, uuid)
    if request.method != "POST":
        return _page(request, report)
    if not rules.can_write_report(request.user, report):
        raise PermissionDenied("Seuls les membres de la structure lauréate remplissent le compte rendu.")
    values, spending, narrative = _typed(request)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        with contention_refused():
            reporting.report_save(report=report, by=request.user, base_version=version, values=values,
                                  spending=spending, narrative=narrative)
            if request.POST.get("action") == "deposit":
                deposited = reporting.report_deposit(report=report, by=request.user)
    except DatabaseBusy as exc:  # another write held the report too long: nothing written, the autosave retries
        return _busy(request, report, exc, typed=(values, spending, narrative))
    except FollowupError as exc:
        if request.htmx:
            return render(request, "dossiers/_save_status.html", {"error": _htmx_error(exc)})
        return _page(request, report, typed=(values, spending, narrative), errors=exc.errors, error=str(exc),
                     status=400)
    if request.htmx:
        return render(request, "dossiers/_save_status.html", {"saved_at": timezone.localtime(),
                                                               "version": report.version})
    if request.POST.get("action") == "deposit":
        messages.success(request, f"Compte rendu déposé (version {deposited.number}) ; l’attestation de dépôt est "
                                  "téléchargeable ci-dessous.")
    else:
        messages.success(request, f"Compte rendu enregistré à {timezone.localtime():%H:%M}.")
    return redirect("followup:report", report.uuid)


def _busy(request, report, exc: DatabaseBusy, *, typed):
    """503 with the refusal: the autosave's fragment (not swapped in: autosave.js keeps the local copy and tries
    again) or the page with everything typed."""
    if request.htmx:
        response = render(request, "dossiers/_save_status.html", {"error": str(exc)}, status=503)
    else:
        report.refresh_from_db()  # the save may have gone through before the deposit waited too long
        response = _page(request, report, typed=typed, error=str(exc), status=503)
    response["Retry-After"] = "2"
    return response


def _htmx_error(exc: FollowupError) -> str:
    if exc.errors.get("version") == "stale":
        return str(exc)
    return f"{exc} ({len(exc.errors)} champ{'s' if len(exc.errors) > 1 else ''} à corriger : enregistrez pour les voir)"


@login_required
@require_POST
def report_attachment_add(request, uuid):
    report = report_for(request.user, uuid)
    if not rules.can_write_report(request.user, report):
        raise PermissionDenied
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, report, error="Choisissez un fichier à envoyer.", status=400)
    try:
        reporting.report_attachment_add(report=report, upload=form.cleaned_data["file"], by=request.user)
    except FollowupError as exc:
        return _page(request, report, error=f"Pièce refusée : {exc}", status=400)
    messages.success(request, "Pièce ajoutée.")
    return redirect("followup:report", report.uuid)


@login_required
def report_attachment(request, uuid, file_uuid):
    report = report_for(request.user, uuid)
    attachment = get_object_or_404(report.attachments, uuid=file_uuid)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@login_required
@require_POST
def report_attachment_remove(request, uuid, file_uuid):
    report = report_for(request.user, uuid)
    attachment = get_object_or_404(report.attachments, uuid=file_uuid)
    try:
        reporting.report_attachment_remove(attachment=attachment, by=request.user)
    except FollowupError as exc:
        messages.error(request, str(exc))
    return redirect("followup:report", report.uuid)


@login_required
def report_proof(request, uuid, number: int):
    report = report_for(request.user, uuid)
    version = get_object_or_404(report.versions.select_related("deposited_by"), number=number)
    response = HttpResponse(report_proof_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_proof_filename(version)}"'
    return response


@login_required
@require_POST
def report_review(request, uuid):
    report = report_for(request.user, uuid)
    require(request.user, "followup.manage", report.agreement,
            "Seuls les agents chargés du suivi de cet appel examinent les comptes rendus.")
    comments = {s: request.POST.get(f"comment-{s}", "") for s in ReportSection.values}
    accept = request.POST.get("decision") == "accept"
    try:
        reporting.report_review(report=report, by=request.user, accept=accept, comments=comments)
    except FollowupError as exc:
        return _page(request, report, errors=exc.errors, error=str(exc), status=400, review_typed=comments)
    messages.success(request, "Compte rendu accepté." if accept else "Modifications demandées au lauréat.")
    return redirect("followup:report", report.uuid)
