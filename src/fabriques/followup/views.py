"""Follow-up pages of an agreement (laureate and agents) and the tranches' actions. Objects are fetched through
the scoped querysets of `rules` (404 for anyone else); agent actions are refused (403) to laureates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fabriques.followup import domain, rules
from fabriques.followup.enums import AgreementState, TrancheState
from fabriques.followup.forms import AmendForm, FileForm, PaidForm, StartForm, TerminateForm
from fabriques.followup.models import Agreement, Tranche
from fabriques.followup.pdf import agreement_filename, agreement_pdf
from fabriques.followup.queries import with_figures
from fabriques.formatting import euros


def agreement_for(user, uuid) -> Agreement:
    queryset = rules.agreements_visible_to(user).select_related(
        "call", "dossier__organisation", "dossier__track", "dossier__owner")
    return get_object_or_404(queryset, uuid=uuid)


def _manage(request, agreement: Agreement) -> None:
    if not rules.can_manage(request.user, agreement):
        raise PermissionDenied("Seuls les agents chargés du suivi de cet appel agissent sur la convention.")


def _form_errors(form, exc: domain.FollowupError) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)
    if not exc.errors:
        form.add_error(None, str(exc))


@login_required
def home(request):
    """The laureate's agreements, and for agents the programmes they follow."""
    agreements = with_figures(rules.agreements_for_laureate(request.user).select_related("call", "dossier"))
    return render(request, "followup/home.html", {
        "agreements": agreements.order_by("reference"), "calls": rules.calls_followed_by(request.user)})


def _detail(request, agreement, *, forms=None, status=200):
    figures = with_figures(Agreement.objects.filter(pk=agreement.pk)).get()
    can_manage = rules.can_manage(request.user, agreement)
    forms = forms or {}
    return render(request, "followup/agreement.html", {
        "agreement": agreement, "figures": figures, "can_manage": can_manage,
        "is_member": rules.is_laureate_member(request.user, agreement),
        "can_upload": rules.can_upload_signed_copy(request.user, agreement)
        and agreement.state in (AgreementState.SENT, AgreementState.SIGNED),
        "versions": agreement.versions.select_related("created_by").order_by("-number"),
        "tranches": agreement.tranches.order_by("number"),
        "reports": agreement.reports.order_by("year"),
        "reimbursements": agreement.reimbursements.order_by("created_at"),
        "upload_form": forms.get("upload", FileForm()), "start_form": forms.get("start", StartForm()),
        "paid_form": PaidForm(), "euros": euros, "states": AgreementState,
        "amount": euros(agreement.amount_eur), "paid": euros(figures.paid_eur),
        "remaining": euros(figures.remaining_eur), "committed": euros(figures.committed_eur),
    }, status=status)


@login_required
def agreement_detail(request, uuid):
    return _detail(request, agreement_for(request.user, uuid))


@login_required
def agreement_version_pdf(request, uuid, number: int):
    agreement = agreement_for(request.user, uuid)
    version = get_object_or_404(agreement.versions, number=number)
    response = HttpResponse(agreement_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{agreement_filename(version)}"'
    return response


@login_required
@require_POST
def signed_copy_upload(request, uuid):
    agreement = agreement_for(request.user, uuid)
    if not rules.can_upload_signed_copy(request.user, agreement):
        raise PermissionDenied
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            domain.agreement_signed_copy_upload(agreement=agreement, upload=form.cleaned_data["file"], by=request.user)
        except domain.FollowupError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, "L’exemplaire signé a été reçu : la convention est signée.")
            return redirect("followup:agreement", agreement.uuid)
    return _detail(request, agreement, forms={"upload": form}, status=400)


@login_required
def signed_copy_download(request, uuid):
    agreement = agreement_for(request.user, uuid)
    if not agreement.signed_file:
        raise Http404("Aucun exemplaire signé")
    return FileResponse(agreement.signed_file.open("rb"), as_attachment=True,
                        filename=agreement.signed_name or f"{agreement.reference}-signee.{agreement.signed_type}")


ACTIONS = {"send": AgreementState.SENT, "draft": AgreementState.DRAFT, "close": AgreementState.CLOSED}


@login_required
@require_POST
def agreement_action(request, uuid):
    agreement = agreement_for(request.user, uuid)
    _manage(request, agreement)
    action = request.POST.get("action", "")
    try:
        if action == "start":
            form = StartForm(request.POST)
            if not form.is_valid():
                return _detail(request, agreement, forms={"start": form}, status=400)
            domain.agreement_start(agreement=agreement, starts_on=form.cleaned_data["starts_on"], by=request.user)
        elif action in ACTIONS:
            domain.agreement_transition(agreement, ACTIONS[action], by=request.user)
        else:
            raise domain.FollowupError("Action inconnue.")
    except domain.FollowupError as exc:
        messages.error(request, str(exc))
        return _detail(request, agreement, status=400)
    messages.success(request, f"Convention : {agreement.get_state_display().lower()}.")
    return redirect("followup:agreement", agreement.uuid)


@login_required
def agreement_amend(request, uuid):
    agreement = agreement_for(request.user, uuid)
    _manage(request, agreement)
    form = AmendForm(request.POST or None, initial={"amount_eur": agreement.amount_eur})
    if request.method == "POST" and form.is_valid():
        try:
            version = domain.agreement_amend(agreement=agreement, by=request.user, **form.cleaned_data)
        except domain.FollowupError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Avenant enregistré : version {version.number} de la convention.")
            return redirect("followup:agreement", agreement.uuid)
    return render(request, "followup/agreement_form.html", {
        "agreement": agreement, "form": form, "title": "Avenant à la convention",
        "submit": "Enregistrer l’avenant"}, status=400 if form.errors else 200)


@login_required
def agreement_terminate(request, uuid):
    agreement = agreement_for(request.user, uuid)
    _manage(request, agreement)
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = domain.agreement_terminate(agreement=agreement, by=request.user, **form.cleaned_data)
        except domain.FollowupError as exc:
            _form_errors(form, exc)
        else:
            text = f" ; ordre de reversement {order.reference} émis" if order else ""
            messages.success(request, f"La convention est résiliée{text}.")
            return redirect("followup:agreement", agreement.uuid)
    return render(request, "followup/agreement_form.html", {
        "agreement": agreement, "form": form, "title": "Fin anticipée de la convention",
        "submit": "Résilier la convention", "danger": True}, status=400 if form.errors else 200)


TRANCHE_ACTIONS = {"request": TrancheState.REQUESTED, "paid": TrancheState.PAID, "back": TrancheState.DUE,
                   "cancel": TrancheState.CANCELLED}


@login_required
@require_POST
def tranche_action(request, pk: int):
    tranche = get_object_or_404(Tranche.objects.select_related("agreement__call"),
                                pk=pk, agreement__in=rules.agreements_visible_to(request.user).values("pk"))
    _manage(request, tranche.agreement)
    to = TRANCHE_ACTIONS.get(request.POST.get("action", ""))
    try:
        if to is None:
            raise domain.FollowupError("Action inconnue.")
        domain.tranche_transition(tranche, to, by=request.user, reason=request.POST.get("reason", "")[:500],
                                  payment_reference=request.POST.get("payment_reference", ""))
    except domain.FollowupError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Tranche {tranche.number} : {to.label.lower()}.")
    return redirect("followup:agreement", tranche.agreement.uuid)
