"""Advice pages: the adviser's reading of a dossier, the applicant's advisers and threads, invitations."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fabriques.accounts.models import User
from fabriques.advice import domain, queries, rules
from fabriques.advice.enums import ThreadState
from fabriques.advice.forms import AccountForm, CommentForm, InviteForm
from fabriques.advice.models import AdviserInvitation, Comment, Thread
from fabriques.calls.models import Criterion
from fabriques.dossiers import queries as dossier_queries
from fabriques.dossiers.domain import ConflictError, DossierError
from fabriques.dossiers.downloads import scanned_file_download
from fabriques.dossiers.views import dossier_context, dossier_or_404


def _invitation_or_404(request, uuid) -> AdviserInvitation:
    invitation = queries.adviser_invitation_for(request.user, uuid)
    if invitation is None:
        raise Http404("Accompagnement introuvable, retiré ou expiré")
    return invitation


# --- The adviser's side ---------------------------------------------------------------------------


@login_required
def mine(request):
    context = {"advisings": queries.my_advisings(request.user),
               "pending": queries.pending_invitations_for(request.user),
               "networks": list(rules.networks_of(request.user))}
    return render(request, "advice/mine.html", context)


def accept(request, token):
    invitation = (AdviserInvitation.objects.select_related("dossier", "invited_by")
                  .filter(token=token, network__isnull=True).first())
    if invitation is None:
        raise Http404("Invitation introuvable")
    form, error = AccountForm(), ""
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                invitation = domain.invitation_accept(token=token, user=request.user)
            else:
                form = AccountForm(request.POST)
                if not form.is_valid():
                    raise DossierError("Le compte n’a pas été créé : corrigez les champs signalés.")
                user = domain.adviser_account_create(token=token, password=form.cleaned_data["password1"])
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        except DossierError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Vous accompagnez le dossier {invitation.dossier.reference}.")
            return redirect("advice:review", uuid=invitation.uuid)
    login_url = reverse("account_login") + "?next=" + request.path
    context = {"invitation": invitation, "form": form, "error": error, "has_account": has_account,
               "login_url": login_url}
    return render(request, "advice/accept.html", context, status=400 if error else 200)


def _review(request, invitation, *, forms=None, status=200):
    page = queries.adviser_page(invitation)
    forms = forms or {}
    for item in page.items:
        item.form = forms.get(("new", item.criterion.pk)) or CommentForm(prefix=f"c{item.criterion.pk}")
        for thread in item.threads:
            thread.reply_form = forms.get(("reply", thread.pk)) or CommentForm(prefix=f"t{thread.pk}")
    summary = dossier_queries.budget_summary(invitation.dossier) if invitation.sees_budget else None
    return render(request, "advice/review.html", {"page": page, "invitation": invitation, "dossier":
                                                  invitation.dossier, "summary": summary}, status=status)


@login_required
def review(request, uuid):
    return _review(request, _invitation_or_404(request, uuid))


@login_required
@require_POST
def comment(request, uuid, code):
    invitation = _invitation_or_404(request, uuid)
    criterion = get_object_or_404(Criterion, call=invitation.dossier.wave.call_id, code=code,
                                  tracks=invitation.dossier.track_id)
    form = CommentForm(request.POST, prefix=f"c{criterion.pk}")
    if form.is_valid():
        try:
            domain.thread_open(invitation=invitation, criterion=criterion, by=request.user,
                               body=form.cleaned_data["body"], suggestion=form.cleaned_data["suggestion"])
        except DossierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Commentaire publié sur « {criterion.title} ».")
            return redirect(reverse("advice:review", args=[invitation.uuid]) + f"#critere-{criterion.code}")
    return _review(request, invitation, forms={("new", criterion.pk): form}, status=400)


@login_required
@require_POST
def reply(request, uuid, pk):
    invitation = _invitation_or_404(request, uuid)
    thread = get_object_or_404(invitation.threads.select_related("criterion", "dossier__wave"), pk=pk)
    form = CommentForm(request.POST, prefix=f"t{thread.pk}")
    if form.is_valid():
        try:
            domain.comment_reply(thread=thread, by=request.user, body=form.cleaned_data["body"],
                                 suggestion=form.cleaned_data["suggestion"])
        except DossierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Réponse publiée.")
            return redirect(reverse("advice:review", args=[invitation.uuid]) + f"#fil-{thread.pk}")
    return _review(request, invitation, forms={("reply", thread.pk): form}, status=400)


@login_required
def attachment(request, uuid, file_uuid):
    invitation = _invitation_or_404(request, uuid)
    if not invitation.sees_attachments:
        raise Http404("Pièce introuvable")
    attached = get_object_or_404(invitation.dossier.attachments, uuid=file_uuid)
    return scanned_file_download(request, file=attached.file, state=attached.scan_state,
                                 name=attached.original_name, kind=attached.detected_type)


# --- The applicant's side -------------------------------------------------------------------------


def _networks_for(dossier):
    commune = dossier.place_commune or dossier.organisation.commune
    covering = queries.networks_covering(region=commune.region_code, departement=commune.departement_code) \
        if commune else []
    return queries.networks_listed().filter(pk__in=[n.pk for n in covering]) if covering else \
        queries.networks_listed()


@login_required
def dossier(request, uuid):
    dossier = dossier_or_404(request, uuid)
    criteria = dossier_queries.criteria_for(dossier)
    can_manage = rules.can_manage_advisers(request.user, dossier)
    initial = {"network": request.GET.get("reseau")} if request.GET.get("reseau") else None
    form = InviteForm(request.POST or None, criteria=criteria, networks=_networks_for(dossier), initial=initial)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise Http404("Dossier introuvable")
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation = domain.adviser_invite(
                    dossier=dossier, by=request.user, email=data["email"], network=data["network"],
                    criteria=form.chosen_criteria(), sees_budget=data["sees_budget"],
                    sees_attachments=data["sees_attachments"], ends_on=data["ends_on"], message=data["message"])
            except DossierError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Invitation envoyée à {invitation.adviser_label}.")
                return redirect("advice:dossier", uuid=dossier.uuid)
        status = 400
    threads = queries.dossier_threads(dossier)
    versions = dict(dossier.answers.values_list("criterion_id", "version"))
    for thread in threads:
        thread.reply_form = CommentForm(prefix=f"t{thread.pk}", with_suggestion=False)
        thread.answer_version = versions.get(thread.criterion_id, 0)
    context = dossier_context(request, dossier, "advisers", criteria, form=form, can_manage=can_manage,
                              invitations=queries.dossier_invitations(dossier), threads=threads)
    return render(request, "advice/dossier.html", context, status=status)


@login_required
@require_POST
def revoke(request, uuid, invitation):
    dossier = dossier_or_404(request, uuid)
    found = get_object_or_404(dossier.adviser_invitations.select_related("network"), uuid=invitation)
    found.dossier = dossier
    try:
        domain.invitation_revoke(invitation=found, by=request.user)
    except DossierError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"L’accès de {found.adviser_label} est retiré.")
    return redirect("advice:dossier", uuid=dossier.uuid)


def _thread_or_404(dossier, pk) -> Thread:
    thread = get_object_or_404(dossier.advice_threads.select_related("criterion", "invitation__network"), pk=pk)
    thread.dossier = dossier
    return thread


def _back(request, dossier, thread):
    target = request.POST.get("next", "")
    if target == "answer":
        return redirect(reverse("dossiers:answer", args=[dossier.uuid, thread.criterion.code]) + f"#fil-{thread.pk}")
    return redirect(reverse("advice:dossier", args=[dossier.uuid]) + f"#fil-{thread.pk}")


@login_required
@require_POST
def dossier_reply(request, uuid, pk):
    dossier = dossier_or_404(request, uuid)
    thread = _thread_or_404(dossier, pk)
    form = CommentForm(request.POST, prefix=f"t{thread.pk}", with_suggestion=False)
    if form.is_valid():
        try:
            domain.comment_reply(thread=thread, by=request.user, body=form.cleaned_data["body"])
        except DossierError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Réponse publiée.")
    else:
        messages.error(request, " ".join(form.errors.get("__all__", form.errors.get("body", ["Saisie invalide."]))))
    return _back(request, dossier, thread)


@login_required
@require_POST
def thread_state(request, uuid, pk):
    dossier = dossier_or_404(request, uuid)
    thread = _thread_or_404(dossier, pk)
    to = request.POST.get("to", "")
    try:
        if to not in ThreadState.values:
            raise DossierError("Changement d’état inconnu.")
        domain.thread_transition(thread, to, by=request.user)
    except DossierError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Fil marqué résolu." if to == "resolved" else "Fil rouvert.")
    return _back(request, dossier, thread)


@login_required
@require_POST
def accept_suggestion(request, uuid, pk):
    dossier = dossier_or_404(request, uuid)
    comment = get_object_or_404(Comment.objects.select_related("thread__criterion"), pk=pk, thread__dossier=dossier)
    comment.thread.dossier = dossier
    try:
        base_version = int(request.POST.get("version", ""))
    except ValueError:
        base_version = -1
    try:
        answer = domain.suggestion_accept(comment=comment, base_version=base_version, by=request.user)
    except ConflictError:
        messages.error(request, "La réponse a été modifiée depuis que vous avez ouvert la page : rien n’a été "
                                "remplacé. Relisez la réponse actuelle puis acceptez à nouveau la reformulation.")
    except DossierError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Reformulation reprise dans la réponse (version {answer.version}).")
    return redirect("dossiers:answer", uuid=dossier.uuid, code=comment.thread.criterion.code)
