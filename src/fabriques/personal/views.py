"""The person's space (/espace/): their dashboard, the download of their data, the erasure of their account, and
the programme admins' invitations of agents. Pages that read many apps, so above them all; they keep the
« accounts » URL namespace (urls.py)."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from fabriques.accounts import domain, rules
from fabriques.accounts.capabilities import role_can
from fabriques.accounts.forms import InvitationForm
from fabriques.accounts.models import Invitation
from fabriques.calls.models import Call, Wave
from fabriques.dossiers import cowriters
from fabriques.exports.worker import worker_backlog
from fabriques.personal.personal_data import account_erase, personal_data_export


@login_required
def dashboard(request):
    roles = list(request.user.call_roles.select_related("call").order_by("call__title", "role"))
    runs_programme = request.user.is_staff or any(role_can(r.role, "agents.invite") for r in roles)
    return render(request, "accounts/dashboard.html", {
        "roles": roles, "agent_calls": _agent_calls(roles), "cowriter_invitations": cowriters.pending_for(request.user),
        # Programme admins learn here when the job worker is stopped or late (exports, e-mails, webhooks wait).
        "backlog": worker_backlog() if runs_programme else None,
    })


def _agent_calls(roles) -> list:
    """One entry per call on which the user holds agent roles, with what they can open."""
    calls = {}
    now = timezone.now()
    for role in roles:
        call = calls.setdefault(role.call_id, role.call)
        call.role_labels = [*getattr(call, "role_labels", []), role.get_role_display()]
        call.instructs = getattr(call, "instructs", False) or role_can(role.role, "dossier.instruct")
        call.evaluates = getattr(call, "evaluates", False) or role_can(role.role, "evaluation.evaluate")
        call.sits = getattr(call, "sits", False) or role_can(role.role, "committee.sit")
        call.admins = getattr(call, "admins", False) or role_can(role.role, "agents.invite")
    waves = Wave.objects.filter(call_id__in=calls, closes_at__lte=now).order_by("-closes_at")
    for call in calls.values():
        call.closed_waves = [w for w in waves if w.call_id == call.pk]
    return list(calls.values())


@login_required
def invite(request, slug: str):
    call = get_object_or_404(Call, slug=slug)
    if not rules.can_invite_agents(request.user, call):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = domain.agent_invite(
                call=call, email=form.cleaned_data["email"], role=form.cleaned_data["role"], by=request.user
            )
        except domain.InvitationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Invitation envoyée à {invitation.email}.")
            return redirect("accounts:invite", slug=call.slug)
    invitations = Invitation.objects.filter(call=call).order_by("-created_at")[:200]
    return render(request, "accounts/invite.html", {"call": call, "form": form, "invitations": invitations})


@login_required
def my_data(request):
    """Download everything the platform holds about me (JSON)."""
    body = json.dumps(personal_data_export(request.user), ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-fabriques.json"'
    return response


@login_required
def erase(request):
    """Delete my drafts and anonymise my account, after typing my e-mail address to confirm."""
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm", "").strip().lower() != request.user.email.lower():
            error = "Saisissez exactement votre adresse électronique pour confirmer."
        else:
            account_erase(user=request.user)
            logout(request)
            messages.success(request, "Votre compte a été supprimé et vos brouillons effacés.")
            return redirect("calls:home")
    return render(request, "accounts/erase.html", {"error": error}, status=400 if error else 200)
