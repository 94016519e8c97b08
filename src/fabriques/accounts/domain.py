"""Writes on accounts: inviting agents and accepting invitations."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fabriques.accounts.enums import AGENT_ROLES, Role
from fabriques.accounts.models import CallRole, Invitation
from fabriques.mail.domain import email_queue
from fabriques.refusal import Refusal


class InvitationError(Refusal):
    """An invitation that cannot be used; the message is for the person."""


def role_grant(*, user, call, role: str) -> CallRole:
    """Give `user` the role on `call`; granting twice keeps one row."""
    call_role, _ = CallRole.objects.get_or_create(user=user, call=call, role=role)
    return call_role


def agent_invite(*, call, email: str, role: str, by) -> Invitation:
    """Create an invitation for an agent role and e-mail its link."""
    if role not in AGENT_ROLES:
        raise InvitationError(
            "Seuls les rôles d’agent (instruction, évaluation, comité, administration) s’obtiennent sur invitation."
        )
    with transaction.atomic():  # the invitation and its e-mail are stored together
        invitation = Invitation.objects.create(call=call, email=email.strip().lower(), role=role, invited_by=by)
        link = settings.SITE_URL.rstrip("/") + reverse("accounts:invitation", args=[invitation.token])
        email_queue(
            subject=f"[Fabriques] Invitation : {invitation.get_role_display()} — {call.short_title}",
            body=(
                f"Bonjour,\n\n{by.email} vous invite à rejoindre « {call.title} » sur Fabriques "
                f"en tant que {invitation.get_role_display().lower()}.\n\n"
                f"Pour accepter, ouvrez ce lien (après vous être connecté ou avoir créé votre compte "
                f"avec cette adresse) :\n{link}\n\nL’équipe Fabriques"
            ),
            to=[invitation.email],
        )
    return invitation


def invitation_accept(*, token: str, user) -> CallRole:
    """Accept an invitation addressed to the user's e-mail; grants the role once."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("call").filter(token=token).first()
        if invitation is None:
            raise InvitationError("Cette invitation n’existe pas ou a été retirée.")
        if invitation.accepted_at is not None:
            raise InvitationError("Cette invitation a déjà été acceptée.")
        if invitation.email != user.email.lower():
            raise InvitationError(
                f"Cette invitation est adressée à {invitation.email} ; connectez-vous avec cette adresse."
            )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        return role_grant(user=user, call=invitation.call, role=invitation.role)


__all__ = ["Role", "agent_invite", "invitation_accept", "role_grant"]


def email_confirmation_resend(*, request, email: str) -> bool:
    """Send a new confirmation link to an account's unconfirmed address (allauth's rate limit applies).

    Returns whether a link was sent; callers answer the same either way, so nobody learns which addresses have an
    account."""
    from allauth.account.internal.flows.email_verification import consume_email_verification_rate_limit
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(email__iexact=email.strip(), verified=False, user__isnull=False).first()
    if address is None or not consume_email_verification_rate_limit(request, address.email):
        return False
    address.send_confirmation(request)
    return True
