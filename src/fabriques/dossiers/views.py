"""Applicant pages: my dossiers, organisations, creating, co-writers, deposit, proof, withdrawal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fabriques.dossiers import company_views, domain, queries, rules
from fabriques.dossiers import deposit as deposit_domain
from fabriques.dossiers.enums import NEXT_STEP, WITHDRAWABLE_STATES
from fabriques.dossiers.forms import (
    CoWriterForm,
    DepositForm,
    DossierCreateForm,
    OrganisationForm,
    WithdrawForm,
    legal_form_choices,
)
from fabriques.dossiers.proof import proof_filename, proof_pdf
from fabriques.dossiers.workflow import TransitionError
from fabriques.security.degraded import DatabaseBusy, contention_refused


def dossier_or_404(request, uuid):
    """The dossier if the user may see it; 404 otherwise (never reveal that it exists)."""
    dossier = queries.dossier_for(request.user, uuid)
    if dossier is None:
        raise Http404("Dossier introuvable")
    return dossier


def _complement_key(section: str) -> str:
    """The page's section as requests for complements name it."""
    return f"criterion:{section.removeprefix('answer-')}" if section.startswith("answer-") else section


def dossier_context(request, dossier, section: str, criteria=None, **extra) -> dict:
    """What every dossier page needs: the side menu, the state, whether it can still change."""
    return {
        "dossier": dossier, "section": section,
        "criteria": queries.criteria_for(dossier) if criteria is None else criteria,
        "editable": rules.content_editable(dossier, section=_complement_key(section)),
        "can_deposit": rules.can_deposit(request.user, dossier),
        "next_step": NEXT_STEP[dossier.state], **extra,
    }


@login_required
def my_dossiers(request):
    dossiers = list(queries.my_dossiers(request.user))
    organisations = rules.organisations_of(request.user).select_related("commune")
    return render(request, "dossiers/my_dossiers.html", {"dossiers": dossiers, "organisations": organisations})


@login_required
def organisation_edit(request, pk=None):
    organisation = None
    if pk is not None:
        organisation = get_object_or_404(rules.organisations_of(request.user), pk=pk)
    initial = {}
    if organisation:
        initial = {"name": organisation.name, "legal_form": organisation.legal_form, "siret": organisation.siret,
                   "address": organisation.address, "commune": organisation.commune}
    # The company directory (when configured): ?q= searches it, ?siret= fills the form from the chosen result.
    search = company_views.company_search_context(request.GET.get("q", ""))
    if request.htmx and request.method == "GET":
        return render(request, "accounts/_company_results.html", {**search, "suite": request.GET.get("suite", "")})
    notice = {}
    if request.method == "GET" and request.GET.get("siret"):
        prefill, notice = company_views.company_prefill(
            request.GET["siret"], {code for code, _ in legal_form_choices() if code})
        initial.update(prefill)
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        registry, note = company_views.company_for_save(form.cleaned_data["siret"])
        try:
            organisation = domain.organisation_save(by=request.user, organisation=organisation, registry=registry,
                                                    **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("siret", exc)
        else:
            messages.success(request, f"Organisation « {organisation.name} » enregistrée.")
            if note:
                messages.info(request, note)
            return redirect("dossiers:create" if request.GET.get("suite") == "dossier" else "dossiers:list")
    return render(request, "dossiers/organisation_form.html", {
        "form": form, "organisation": organisation, "company_notice": notice, "suite": request.GET.get("suite", ""),
        **search})


@login_required
def dossier_create(request):
    organisations = rules.organisations_of(request.user)
    if not organisations.exists():
        messages.info(request, "Commencez par déclarer l’organisation qui porte le projet.")
        return redirect(reverse("dossiers:organisation-create") + "?suite=dossier")
    form = DossierCreateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = domain.dossier_create(by=request.user, **form.cleaned_data)
        except domain.DossierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Dossier {dossier.reference} créé.")
            return redirect("dossiers:detail", uuid=dossier.uuid)
    return render(request, "dossiers/dossier_create.html", {"form": form})


@login_required
def dossier_detail(request, uuid):
    dossier = dossier_or_404(request, uuid)
    context = dossier_context(
        request, dossier, "detail", missing=queries.missing_items(dossier),
        versions=list(dossier.versions.select_related("deposited_by")),
        deposited=queries.deposited_version(dossier),
        withdrawable=dossier.state in WITHDRAWABLE_STATES, withdraw_form=WithdrawForm(),
        closes_at=timezone.localtime(dossier.wave.closes_at), state_reason=queries.state_reason(dossier),
    )
    return render(request, "dossiers/detail.html", context)


@login_required
def cowriters(request, uuid):
    dossier = dossier_or_404(request, uuid)
    form = CoWriterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = domain.cowriter_invite(dossier=dossier, email=form.cleaned_data["email"], by=request.user)
        except domain.DossierError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"Invitation envoyée à {invitation.email}.")
            return redirect("dossiers:cowriters", uuid=dossier.uuid)
    invitations = dossier.cowriters.select_related("accepted_by")
    members = dossier.organisation.members.select_related("user")
    context = dossier_context(request, dossier, "cowriters", form=form, invitations=invitations, members=members,
                              can_invite=rules.can_manage_cowriters(request.user, dossier))
    return render(request, "dossiers/cowriters.html", context)


@login_required
def cowriter_accept(request, token):
    if request.method == "POST":
        try:
            invitation = domain.cowriter_accept(token=token, user=request.user)
        except domain.DossierError as exc:
            return render(request, "dossiers/cowriter_accept.html", {"error": str(exc)}, status=400)
        messages.success(request, f"Vous co-rédigez désormais le dossier {invitation.dossier.reference}.")
        return redirect("dossiers:detail", uuid=invitation.dossier.uuid)
    return render(request, "dossiers/cowriter_accept.html", {"token": token})


@login_required
def deposit(request, uuid):
    dossier = dossier_or_404(request, uuid)
    if not rules.can_deposit(request.user, dossier):
        raise Http404("Dossier introuvable")
    error, missing, status, criteria = "", [], 200, None
    if request.method == "POST":
        form = DepositForm(request.POST)
        if form.is_valid():
            try:
                with contention_refused():
                    version = deposit_domain.dossier_deposit_retrying(
                        dossier=dossier, by=request.user, submission_key=form.cleaned_data["submission_key"]
                    )
            except DatabaseBusy as exc:  # a save of the dossier held it too long: not deposited, a new key to retry
                error, status = str(exc), 503
            except deposit_domain.DepositRefusedError as exc:
                error, missing, status = str(exc), exc.missing, 409
            else:
                deposited = timezone.localtime(version.deposited_at)
                messages.success(
                    request, f"Dossier déposé le {deposited:%d/%m/%Y à %H:%M:%S} (version {version.number}). "
                    "L’attestation vous a été envoyée par courriel."
                )
                return redirect("dossiers:detail", uuid=dossier.uuid)
        else:
            error, status = "Ce formulaire de dépôt n’est pas valide : rechargez la page.", 400
    else:
        content = queries.dossier_content(dossier)
        missing, criteria = queries.missing_items(dossier, content), content.criteria
    form = DepositForm(initial={"submission_key": deposit_domain.deposit_key_issue(dossier=dossier)})
    context = dossier_context(request, dossier, "deposit", criteria, form=form, error=error, missing=missing,
                              closes_at=timezone.localtime(dossier.wave.closes_at),
                              window_open=dossier.wave.is_open())
    response = render(request, "dossiers/deposit.html", context, status=status)
    if status == 503:
        response["Retry-After"] = "2"
    return response


@login_required
def proof(request, uuid, number: int):
    dossier = dossier_or_404(request, uuid)
    version = dossier.versions.select_related("deposited_by", "dossier").filter(number=number).first()
    if version is None:
        raise Http404("Version introuvable")
    if version.snapshot.get("erased"):
        raise Http404("Le contenu de ce dossier a été effacé à la fin de sa durée de conservation.")
    response = HttpResponse(proof_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{proof_filename(version)}"'
    return response


@login_required
@require_POST
def withdraw(request, uuid):
    dossier = dossier_or_404(request, uuid)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        deposit_domain.dossier_withdraw(dossier=dossier, by=request.user, reason=form.cleaned_data.get("reason", ""))
    except (domain.DossierError, TransitionError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Le dossier a été retiré.")
    return redirect("dossiers:detail", uuid=dossier.uuid)
