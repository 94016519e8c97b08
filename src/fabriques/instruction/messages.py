"""Messages on a dossier between the applicant and the instruction; the other side is told by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fabriques.audit.domain import audit_record
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.filetypes import detect_type, safe_name
from fabriques.dossiers.models import Dossier
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.models import (
    Message,
)
from fabriques.mail.domain import email_queue
from fabriques.security.antivirus import scan_upload

S = DossierState


def message_post(*, dossier: Dossier, author, body: str, internal: bool = False, upload=None) -> Message:
    """Post a message on the dossier; the other side is told by e-mail (agents' internal notes are not sent)."""
    if not body.strip():
        raise InstructionError("Le message est vide.")
    message = Message(dossier=dossier, author=author, created_at=timezone.now(), body=body, internal=internal)
    if upload is not None:
        if upload.size > 10 * 1024 * 1024:
            raise InstructionError("La pièce jointe dépasse 10 Mo.")
        kind = detect_type(upload)
        if kind not in {"pdf", "png", "jpg", "odt", "docx", "ods", "xlsx"}:
            raise InstructionError("Type de fichier non accepté : PDF, image ou document bureautique seulement.")
        verdict = scan_upload(upload)
        if verdict.refusal:
            raise InstructionError(verdict.refusal)
        message.attachment_name, message.attachment_scan_state = safe_name(upload.name), verdict.state
        message.attachment.save(f"{dossier.uuid.hex}-{timezone.now():%H%M%S%f}.{kind}", upload, save=False)
    with transaction.atomic():  # the message, its audit entry and its e-mail are stored together
        message.save()
        audit_record(
            action="message.posted",
            obj=message,
            by=author,
            after={"internal": internal},
            dossier_id=dossier.pk,
            call_id=dossier.wave.call_id,
        )
        if not internal:
            _message_notify(message)
    return message


def _message_notify(message: Message) -> None:
    """Queue the e-mail telling the other side that a message was posted (in the posting transaction)."""
    dossier = message.dossier
    from_applicant = (
        message.author_id == dossier.owner_id or dossier.organisation.members.filter(user_id=message.author_id).exists()
    )
    if from_applicant:
        group = getattr(dossier, "instruction", None)
        recipients = list(group.group.members.values_list("email", flat=True)) if group else []
        link = settings.SITE_URL.rstrip("/") + reverse("instruction:dossier", args=[dossier.uuid])
    else:
        recipients = [dossier.owner.email]
        link = settings.SITE_URL.rstrip("/") + reverse("dossiers:detail", args=[dossier.uuid])
    if recipients:
        email_queue(
            subject=f"[Fabriques] Nouveau message — {dossier.reference}",
            body=f"Bonjour,\n\nUn nouveau message a été publié sur le dossier {dossier.reference}.\n\n{link}\n\n"
            "L’équipe Fabriques",
            to=recipients,
        )
