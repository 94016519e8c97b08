from django.contrib import messages
from django.shortcuts import redirect, render

from fabriques.accounts import domain
from fabriques.accounts.forms import ResendConfirmationForm
from fabriques.accounts.models import Invitation


def invitation(request, token: str):
    invitation = Invitation.objects.select_related("call").filter(token=token).first()
    if invitation is None:
        context = {"error": "Cette invitation n’existe pas ou a été retirée."}
        return render(request, "accounts/invitation.html", context, status=404)
    if not request.user.is_authenticated:
        return render(request, "accounts/invitation.html", {"invitation": invitation, "anonymous": True})
    if request.method == "POST":
        try:
            domain.invitation_accept(token=token, user=request.user)
        except domain.InvitationError as exc:
            context = {"invitation": invitation, "error": str(exc)}
            return render(request, "accounts/invitation.html", context, status=400)
        role = invitation.get_role_display().lower()
        messages.success(request, f"Vous êtes désormais {role} pour « {invitation.call.short_title} ».")
        return redirect("accounts:dashboard")
    return render(request, "accounts/invitation.html", {"invitation": invitation})


def resend_confirmation(request):
    """A new e-mail confirmation link, asked from the « Vérifiez votre adresse » page (no account needed)."""
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        domain.email_confirmation_resend(request=request, email=form.cleaned_data["email"])
        messages.info(request, (
            f"Si un compte en attente de confirmation existe pour {form.cleaned_data['email']}, un nouveau lien "
            "vient d’y être envoyé (au plus un toutes les trois minutes). Pensez à regarder dans vos courriers "
            "indésirables."
        ))
        return redirect("accounts:resend_confirmation")
    return render(request, "accounts/resend_confirmation.html", {"form": form}, status=400 if form.errors else 200)
