"""Writes on organisations and dossiers: each function checks its rules and changes nothing when it refuses."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from fabriques.accounts.enums import OrganisationRole
from fabriques.accounts.models import Organisation, OrganisationMember, siret_normalise, validate_siret
from fabriques.audit.domain import audit_record
from fabriques.dossiers import queries, rules
from fabriques.dossiers.enums import BudgetKind, DossierState
from fabriques.dossiers.filetypes import detect_type, normalise_types, safe_name, types_label
from fabriques.dossiers.models import (
    Answer,
    BudgetLine,
    CoWriterInvitation,
    Dossier,
    DossierAttachment,
    SelfAssessment,
)
from fabriques.mail.domain import email_queue
from fabriques.refusal import Refusal
from fabriques.security.antivirus import scan_upload
from fabriques.security.degraded import free_bytes, min_free_bytes
from fabriques.territory.eligibility import eligibility_report

logger = logging.getLogger(__name__)


class DossierError(Refusal):
    """A refused write; the message is for the person."""


@dataclass(eq=False)
class ConflictError(DossierError):
    """Someone else saved the same section since this person started: nothing was written."""

    theirs: str
    their_version: int
    their_author: str
    their_at: object

    def __str__(self) -> str:
        return (
            f"{self.their_author} a enregistré une autre version de cette rubrique entre-temps. "
            "Rien n’a été écrasé : choisissez la version à garder."
        )


def _closing_text(dossier: Dossier) -> str:
    closes = timezone.localtime(dossier.wave.closes_at)
    return f"le {closes:%d/%m/%Y} à {closes:%H:%M:%S} (heure de Paris)"


def ensure_editable(dossier: Dossier, at=None, section: str | None = None) -> None:
    """Raise unless the content may still change (draft or deposited, wave open; or a requested complement)."""
    if rules.content_editable(dossier, at, section=section):
        return
    if dossier.state == DossierState.COMPLEMENTS_REQUESTED:
        raise DossierError(
            "Seuls les éléments demandés par l’instruction sont modifiables, jusqu’à la date de réponse indiquée."
        )
    if dossier.state not in (DossierState.DRAFT, DossierState.DEPOSITED):
        raise DossierError(f"Le dossier est « {dossier.get_state_display()} » : il n’est plus modifiable.")
    raise DossierError(f"Le dossier n’est plus modifiable : la vague a été clôturée {_closing_text(dossier)}.")


def _touch(dossier: Dossier) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(content_version=F("content_version") + 1, updated_at=timezone.now())


# --- Organisations -------------------------------------------------------------------------------


def organisation_save(*, by, name: str, legal_form: str, siret: str, address: str, commune,
                      organisation: Organisation | None = None, registry=None) -> Organisation:
    """Create (the author becomes its owner) or update an organisation with a valid SIRET; refreshes eligibility.

    `registry` is what the company directory said of this SIRET (`company_lookup.Company`), or None when it was off
    or silent: its legal category, NAF, RNA and state are kept beside what the person typed; without it, the facts
    of another SIRET are dropped and those of the same SIRET kept.
    """
    siret = siret_normalise(siret)
    validate_siret(siret)
    with transaction.atomic():
        creating = organisation is None
        organisation = organisation or Organisation()
        before = {"name": organisation.name, "legal_form": organisation.legal_form, "siret": organisation.siret}
        if registry is not None and registry.siret == siret:
            organisation.legal_category, organisation.naf, organisation.rna = (
                registry.legal_category, registry.naf[:6], registry.rna[:10])
            organisation.registry_active, organisation.registry_checked_at = registry.active, timezone.now()
        elif organisation.siret != siret:
            organisation.legal_category = organisation.naf = organisation.rna = ""
            organisation.registry_active = organisation.registry_checked_at = None
        organisation.name, organisation.legal_form, organisation.siret = name.strip(), legal_form, siret
        organisation.address, organisation.commune = address.strip(), commune
        organisation.save()
        if creating:
            OrganisationMember.objects.create(organisation=organisation, user=by, role=OrganisationRole.OWNER)
        audit_record(action="organisation.create" if creating else "organisation.update", obj=organisation,
                     by=by, before=None if creating else before,
                     after={"name": organisation.name, "legal_form": legal_form, "siret": siret})
        for dossier in organisation.dossiers.filter(state=DossierState.DRAFT).select_related("track"):
            dossier.organisation = organisation
            dossier_eligibility_refresh(dossier=dossier)
    return organisation


# --- Dossiers ------------------------------------------------------------------------------------


def dossier_eligibility_refresh(*, dossier: Dossier) -> Dossier:
    """Recompute and store the eligibility report of the dossier's place and organisation."""
    commune = dossier.place_commune
    report = eligibility_report(
        track=dossier.track, latitude=dossier.place_latitude, longitude=dossier.place_longitude,
        commune_code=commune.code if commune else None, legal_form_code=dossier.organisation.legal_form or None,
    )
    dossier.eligibility_status = report.status
    dossier.eligibility_report = report.as_dict()
    dossier.save(update_fields=["eligibility_status", "eligibility_report"])
    return dossier


def dossier_create(*, wave, track, organisation: Organisation, by, at=None) -> Dossier:
    """A draft in an open wave for one track of its call, by a member of the organisation."""
    if not wave.is_open(at or timezone.now()):
        raise DossierError("Cette vague n’est pas ouverte aux candidatures.")
    if track.call_id != wave.call_id:
        raise DossierError("Cette entrée n’appartient pas à l’appel de la vague.")
    if not organisation.members.filter(user=by).exists():
        raise DossierError("Vous n’êtes pas membre de cette organisation.")
    with transaction.atomic():
        dossier = Dossier.objects.create(wave=wave, track=track, organisation=organisation, owner=by)
        dossier.reference = f"{wave.call.reference_prefix}-{dossier.created_at:%Y}-{dossier.pk:05d}"
        dossier.save(update_fields=["reference"])
        dossier_eligibility_refresh(dossier=dossier)
        audit_record(action="dossier.create", obj=dossier, by=by, after={"reference": dossier.reference},
                     dossier_id=dossier.pk, call_id=wave.call_id)
    return dossier


def place_save(*, dossier: Dossier, by, base_version: int, name: str, status: str, address: str, commune,
               latitude: float | None = None, longitude: float | None = None) -> Dossier:
    """Save the place section if nobody saved it since `base_version`; refreshes eligibility."""
    with transaction.atomic():
        locked = (
            Dossier.objects.select_for_update(of=("self",)).select_related("wave", "track", "organisation")
            .get(pk=dossier.pk)
        )
        ensure_editable(locked, section="place")
        if locked.place_version != base_version:
            raise DossierError(
                "Quelqu’un a modifié le lieu entre-temps : vos saisies sont conservées ci-dessous, "
                "rechargez la page pour voir l’autre version avant d’enregistrer à nouveau."
            )
        locked.place_name, locked.place_status, locked.place_address = name.strip(), status, address.strip()
        locked.place_commune, locked.place_latitude, locked.place_longitude = commune, latitude, longitude
        locked.place_version += 1
        locked.content_version += 1
        locked.save(update_fields=[
            "place_name", "place_status", "place_address", "place_commune", "place_latitude", "place_longitude",
            "place_version", "content_version", "updated_at",
        ])
        dossier_eligibility_refresh(dossier=locked)
    return locked


# A save that finds a newer version written by the same person this recently is their own autosave racing their
# click on « Enregistrer » (both left the same page): not a conflict with someone else. Longer apart, or another
# person, and both texts are shown as before.
OWN_RACE_SECONDS = 10


def _own_race(theirs, by) -> bool:
    return (theirs.updated_by_id is not None and theirs.updated_by_id == by.pk
            and (timezone.now() - theirs.updated_at).total_seconds() < OWN_RACE_SECONDS)


def answer_save(*, dossier: Dossier, criterion, text: str, base_version: int, by) -> Answer:
    """Save an answer only if it is still at `base_version`; otherwise raise Conflict with their version."""
    if criterion.max_length and len(text) > criterion.max_length:
        raise DossierError(
            f"La réponse compte {len(text)} caractères pour {criterion.max_length} au plus : "
            "raccourcissez-la ; rien n’a été enregistré."
        )
    ensure_editable(dossier, section=f"criterion:{criterion.code}")
    with transaction.atomic():
        if base_version == 0:
            try:
                with transaction.atomic():
                    answer = Answer.objects.create(dossier=dossier, criterion=criterion, text=text, updated_by=by)
            except IntegrityError:
                answer = None
        else:
            updated = Answer.objects.filter(dossier=dossier, criterion=criterion, version=base_version).update(
                text=text, version=F("version") + 1, updated_by=by, updated_at=timezone.now()
            )
            answer = Answer.objects.get(dossier=dossier, criterion=criterion) if updated else None
        if answer is None:
            theirs = Answer.objects.select_related("updated_by").get(dossier=dossier, criterion=criterion)
            if theirs.text == text:  # the same text was saved meanwhile (autosave, then « Enregistrer »): done
                return theirs
            if _own_race(theirs, by):  # the person's own autosave of a moment ago, overtaken by their own save
                return answer_save(dossier=dossier, criterion=criterion, text=text, base_version=theirs.version, by=by)
            raise ConflictError(theirs=theirs.text, their_version=theirs.version,
                           their_author=theirs.updated_by.email if theirs.updated_by else "Une autre personne",
                           their_at=theirs.updated_at)
        _touch(dossier)
    return answer


@dataclass(frozen=True)
class LineData:
    year: int
    kind: str
    category: str
    label: str
    amount_eur: int
    is_state_request: bool = False
    cofunder: str = ""


def budget_save(*, dossier: Dossier, by, base_version: int, lines: list[LineData]) -> Dossier:
    """Replace the budget lines if nobody saved the budget since `base_version`; stores the amount requested."""
    for line in lines:
        if line.amount_eur < 0:
            raise DossierError("Les montants sont des nombres entiers positifs.")
        if not 1 <= line.year <= dossier.track.duration_years:
            raise DossierError(f"L’année {line.year} est hors de la durée du projet.")
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).select_related("wave", "track").get(pk=dossier.pk)
        ensure_editable(locked, section="budget")
        if locked.budget_version != base_version:
            raise DossierError(
                "Quelqu’un a modifié le budget entre-temps : vos saisies sont conservées ci-dessous, "
                "rechargez la page pour voir l’autre version avant d’enregistrer à nouveau."
            )
        locked.budget_lines.all().delete()
        BudgetLine.objects.bulk_create(
            BudgetLine(dossier=locked, year=ln.year, kind=ln.kind, category=ln.category, label=ln.label,
                       amount_eur=ln.amount_eur, is_state_request=ln.is_state_request, cofunder=ln.cofunder)
            for ln in lines if ln.amount_eur
        )
        locked.amount_requested_eur = sum(
            ln.amount_eur for ln in lines if ln.kind == BudgetKind.RESOURCE and ln.is_state_request
        )
        locked.budget_version += 1
        locked.content_version += 1
        locked.save(update_fields=["amount_requested_eur", "budget_version", "content_version", "updated_at"])
    return locked


def self_assessment_save(*, dossier: Dossier, ratings: dict, by) -> None:
    """Store the applicant's maturity (0–4) per criterion of the dossier's track; other ids are ignored."""
    allowed = {c.pk: c for c in queries.criteria_for(dossier)}
    with transaction.atomic():
        for criterion_id, maturity in ratings.items():
            if criterion_id not in allowed or maturity is None:
                continue
            if not 0 <= int(maturity) <= 4:
                raise DossierError("La maturité se note de 0 à 4.")
            SelfAssessment.objects.update_or_create(
                dossier=dossier, criterion=allowed[criterion_id], defaults={"maturity": int(maturity)}
            )


# --- Attachments ---------------------------------------------------------------------------------


def attachment_add(*, dossier: Dossier, required, upload, by) -> DossierAttachment:
    """Store an upload whose bytes match an allowed type, within the size limit, not refused by the antivirus."""
    ensure_editable(dossier, section=f"attachment:{required.code}")
    if not required.tracks.filter(pk=dossier.track_id).exists():
        raise DossierError("Cette pièce n’est pas demandée pour cette entrée.")
    if upload.size > required.max_size_mb * 1024 * 1024:
        size_mb = upload.size / (1024 * 1024)
        raise DossierError(
            f"Le fichier pèse {size_mb:.1f} Mo : la limite pour « {required.label} » est de {required.max_size_mb} Mo."
        )
    if upload.size == 0:
        raise DossierError("Le fichier est vide.")
    kind = detect_type(upload)
    allowed = normalise_types(required.allowed_types)
    if kind not in allowed:
        raise DossierError(
            f"Le contenu de ce fichier ne correspond pas à un format accepté ({types_label(allowed)}), "
            "quel que soit son nom. Enregistrez-le dans l’un de ces formats puis envoyez-le à nouveau."
        )
    verdict = scan_upload(upload)
    if verdict.refusal:
        raise DossierError(verdict.refusal)
    storage = DossierAttachment._meta.get_field("file").storage
    if free_bytes(storage.location) - upload.size < min_free_bytes():
        logger.error("uploads: media file system nearly full, upload of %s bytes refused", upload.size)
        raise DossierError(NO_SPACE_MESSAGE)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        Dossier.objects.select_for_update().only("pk").get(pk=dossier.pk)
        if dossier.attachments.filter(required=required).count() >= required.max_files:
            raise DossierError(
                f"« {required.label} » accepte {required.max_files} fichier(s) au plus : retirez-en un d’abord."
            )
        attachment = DossierAttachment(
            dossier=dossier, required=required, original_name=safe_name(upload.name), size=upload.size,
            sha256=digest.hexdigest(), detected_type=kind, scan_state=verdict.state, uploaded_by=by,
        )
        _file_store(attachment, upload)
        try:
            attachment.save()
            _touch(dossier)
        except Exception:
            attachment.file.delete(save=False)
            raise
        audit_record(action="dossier.attachment_add", obj=attachment, by=by,
                     after={"code": required.code, "name": attachment.original_name, "sha256": attachment.sha256},
                     dossier_id=dossier.pk, call_id=dossier.wave.call_id)
    return attachment


NO_SPACE_MESSAGE = (
    "Le serveur manque momentanément d’espace pour enregistrer les fichiers : celui-ci n’a pas été enregistré. "
    "Réessayez dans quelques minutes ; le reste de votre dossier est conservé."
)


def _file_store(attachment: DossierAttachment, upload) -> None:
    """Write the file under a name chosen here, so that a write cut short (disk full) leaves no partial file."""
    field = attachment.file.field
    name = field.generate_filename(attachment, "upload")
    try:
        attachment.file.name = field.storage.save(name, upload, max_length=field.max_length)
    except OSError as exc:
        with contextlib.suppress(OSError):
            field.storage.delete(name)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            logger.error("uploads: no space left while writing a file of %s bytes, nothing kept", upload.size)
            raise DossierError(NO_SPACE_MESSAGE) from exc
        raise


def attachment_remove(*, attachment: DossierAttachment, by) -> None:
    """Remove an attachment while the dossier is editable; files of deposited versions are kept."""
    dossier = attachment.dossier
    ensure_editable(dossier, section=f"attachment:{attachment.required.code}")
    with transaction.atomic():
        audit_record(action="dossier.attachment_remove", obj=attachment, by=by,
                     before={"name": attachment.original_name, "sha256": attachment.sha256},
                     dossier_id=dossier.pk, call_id=dossier.wave.call_id)
        attachment.delete()
        _touch(dossier)


# --- Co-writers ----------------------------------------------------------------------------------


def cowriter_invite(*, dossier: Dossier, email: str, by) -> CoWriterInvitation:
    """Invite a person by e-mail to write the dossier with its members; the link is e-mailed."""
    if not rules.can_manage_cowriters(by, dossier):
        raise DossierError("Seuls le responsable du dossier et les membres de l’organisation invitent.")
    email = email.strip().lower()
    if dossier.cowriters.filter(email=email).exists():
        raise DossierError(f"{email} est déjà invité sur ce dossier.")
    with transaction.atomic():  # the invitation, its audit entry and its e-mail are stored together
        invitation = CoWriterInvitation.objects.create(dossier=dossier, email=email, invited_by=by)
        audit_record(action="dossier.cowriter_invite", obj=invitation, by=by, after={"email": email},
                     dossier_id=dossier.pk, call_id=dossier.wave.call_id)
        link = settings.SITE_URL.rstrip("/") + reverse("dossiers:cowriter-accept", args=[invitation.token])
        email_queue(
            subject=f"[Fabriques] Invitation à co-rédiger le dossier {dossier.reference}",
            body=(f"Bonjour,\n\n{by.email} vous invite à co-rédiger le dossier {dossier.reference} "
                  f"({dossier.organisation.name}).\n\nConnectez-vous ou créez votre compte avec cette adresse, "
                  f"puis ouvrez ce lien :\n{link}\n\nL’équipe Fabriques"),
            to=[email],
        )
    return invitation


def cowriter_accept(*, token: str, user) -> CoWriterInvitation:
    """Accept an invitation addressed to the user's e-mail; the dossier becomes editable for them."""
    with transaction.atomic():
        invitation = CoWriterInvitation.objects.select_for_update().filter(token=token).first()
        if invitation is None:
            raise DossierError("Cette invitation n’existe pas ou a été retirée.")
        if invitation.email != user.email.lower():
            raise DossierError(
                f"Cette invitation est adressée à {invitation.email} ; connectez-vous avec cette adresse."
            )
        if invitation.accepted_at is None:
            invitation.accepted_at, invitation.accepted_by = timezone.now(), user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation


def canonical_json(snapshot: dict) -> str:
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def fingerprint(snapshot: dict) -> str:
    return hashlib.sha256(canonical_json(snapshot).encode("utf-8")).hexdigest()


def validation_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)
