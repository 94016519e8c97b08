"""Co-writer invitations after they are sent: revoke (the access goes with it), send again, list a person's own."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from fabriques.audit.domain import audit_record
from fabriques.dossiers import rules
from fabriques.dossiers.domain import DossierError
from fabriques.dossiers.models import CoWriterInvitation
from fabriques.mail.domain import email_queue


def cowriter_revoke(*, invitation: CoWriterInvitation, by) -> None:
    """Withdraw an invitation; an accepted one loses its access to the dossier at once (audited)."""
    dossier = invitation.dossier
    if not rules.can_manage_cowriters(by, dossier):
        raise DossierError("Seuls le responsable du dossier et les membres de l’organisation retirent une invitation.")
    with transaction.atomic():
        audit_record(action="dossier.cowriter_revoke", obj=invitation, by=by,
                     before={"email": invitation.email, "accepted": invitation.accepted_at is not None},
                     dossier_id=dossier.pk, call_id=dossier.wave.call_id)
        invitation.delete()


def cowriter_resend(*, invitation: CoWriterInvitation, by) -> CoWriterInvitation:
    """Send the invitation e-mail again (same link) while it is not accepted."""
    dossier = invitation.dossier
    if not rules.can_manage_cowriters(by, dossier):
        raise DossierError("Seuls le responsable du dossier et les membres de l’organisation relancent une invitation.")
    if invitation.accepted_at is not None:
        raise DossierError(f"{invitation.email} a déjà accepté l’invitation.")
    with transaction.atomic():
        audit_record(action="dossier.cowriter_resend", obj=invitation, by=by, after={"email": invitation.email},
                     dossier_id=dossier.pk, call_id=dossier.wave.call_id)
        link = settings.SITE_URL.rstrip("/") + reverse("dossiers:cowriter-accept", args=[invitation.token])
        email_queue(
            subject=f"[Fabriques] Rappel : invitation à co-rédiger le dossier {dossier.reference}",
            body=(f"Bonjour,\n\n{by.email} vous invite à co-rédiger le dossier {dossier.reference} "
                  f"({dossier.organisation.name}).\n\nConnectez-vous ou créez votre compte avec cette adresse, "
                  f"puis ouvrez ce lien :\n{link}\n\nVous trouverez aussi l’invitation dans « Mon espace » une "
                  "fois connecté.\n\nL’équipe Fabriques"),
            to=[invitation.email],
        )
    return invitation


def pending_for(user) -> list[CoWriterInvitation]:
    """The invitations addressed to this person's e-mail that they have not accepted yet (for « Mon espace »)."""
    if not user.is_authenticated:
        return []
    return list(CoWriterInvitation.objects.filter(email=user.email.lower(), accepted_at__isnull=True)
                .select_related("dossier__organisation", "invited_by").order_by("created_at"))
