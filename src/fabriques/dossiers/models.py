"""The applicant's file: place, one answer per criterion, budget lines, attachments, deposited versions.

`state` is written only by `workflow.dossier_transition`; content only by `domain` functions.
Amounts are whole euros. URLs use the non-guessable `uuid`, never the integer id.
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from fabriques.dossiers.enums import BudgetKind, DossierState, PlaceStatus
from fabriques.security.antivirus import ScanState


class Dossier(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField("référence", max_length=20, unique=True, null=True, blank=True)
    wave = models.ForeignKey("calls.Wave", on_delete=models.PROTECT, related_name="dossiers", verbose_name="vague")
    track = models.ForeignKey("calls.Track", on_delete=models.PROTECT, related_name="dossiers", verbose_name="entrée")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="dossiers", verbose_name="organisation"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers_owned")
    state = models.CharField(
        "état", max_length=30, choices=DossierState.choices, default=DossierState.DRAFT, db_index=True
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)

    place_name = models.CharField("nom du lieu", max_length=200, blank=True)
    place_status = models.CharField("nature du lieu", max_length=10, choices=PlaceStatus.choices, blank=True)
    place_address = models.CharField("adresse du lieu", max_length=300, blank=True)
    place_commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="commune du lieu",
    )
    place_latitude = models.FloatField("latitude", null=True, blank=True)
    place_longitude = models.FloatField("longitude", null=True, blank=True)
    place_version = models.PositiveIntegerField(default=0)

    eligibility_status = models.CharField("éligibilité", max_length=10, blank=True, db_index=True)
    eligibility_report = models.JSONField("rapport d’éligibilité", default=dict, blank=True)

    amount_requested_eur = models.PositiveIntegerField("montant demandé (€)", default=0)
    budget_version = models.PositiveIntegerField(default=0)

    content_version = models.PositiveIntegerField(default=0, help_text="augmente à chaque enregistrement")
    last_deposited_at = models.DateTimeField(null=True, blank=True)
    purge_notice_at = models.DateTimeField(
        "avis de suppression envoyé le", null=True, blank=True, help_text="draft untouched: notice before purge"
    )
    content_erased_at = models.DateTimeField(
        null=True, blank=True, help_text="content erased at the end of the call's retention period"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "dossier"
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            # The agents' dashboard reads a page within a wave in the order of one of these columns, id as
            # tie-break (`instruction.queries.INDEXED_SORTS`), both directions: 50 entries, not a sort of every row.
            *(models.Index(fields=["wave", column, "id"], name=f"dossier_wave_{short}")
              for column, short in [("state", "state"), ("last_deposited_at", "deposited"), ("reference", "ref"),
                                    ("amount_requested_eur", "amount"), ("place_name", "place")]),
        ]

    def __str__(self) -> str:
        return self.reference or f"Dossier {self.uuid}"


class Answer(models.Model):
    """One answer per (dossier, criterion); `version` grows on each save (optimistic concurrency)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey("calls.Criterion", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dossier", "criterion"], name="unique_answer")]


class SelfAssessment(models.Model):
    """The applicant's own maturity rating on one criterion, 0 (rien encore) to 4 (solide)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="self_assessments")
    criterion = models.ForeignKey("calls.Criterion", on_delete=models.PROTECT, related_name="+")
    maturity = models.PositiveSmallIntegerField(validators=[MaxValueValidator(4)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "criterion"], name="unique_self_assessment"),
            models.CheckConstraint(condition=models.Q(maturity__lte=4), name="self_assessment_maturity_0_4"),
        ]


class BudgetLine(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField("année")
    kind = models.CharField(max_length=10, choices=BudgetKind.choices)
    category = models.CharField(max_length=30)
    label = models.CharField(max_length=200)
    amount_eur = models.PositiveIntegerField("montant (€)")
    is_state_request = models.BooleanField(default=False)
    cofunder = models.CharField("cofinanceur", max_length=200, blank=True)

    class Meta:
        ordering = ["dossier", "year", "kind", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(year__gte=1), name="budget_line_year_ge_1")]


def attachment_path(instance, filename: str) -> str:
    """A random name under the dossier's uuid, with the extension of the type read in the bytes: the uploaded name is
    never used on disk (a storage that types files by extension serves them as what they are)."""
    suffix = f".{instance.detected_type}" if instance.detected_type else ""
    return f"dossiers/{instance.dossier.uuid}/{secrets.token_hex(16)}{suffix}"


class DossierAttachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    required = models.ForeignKey("calls.RequiredAttachment", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField("nom du fichier", max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    detected_type = models.CharField(max_length=10)
    scan_state = models.CharField(
        "analyse antivirus", max_length=12, choices=ScanState.choices, default=ScanState.NOT_SCANNED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier", "required", "uploaded_at"]


def _token() -> str:
    return secrets.token_urlsafe(32)


class CoWriterInvitation(models.Model):
    """A person invited by e-mail to write the dossier; accepting gives edit rights (not deposit)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="cowriters")
    email = models.EmailField("adresse électronique")
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="cowritings"
    )

    class Meta:
        ordering = ["created_at"]


class DossierVersion(models.Model):
    """One row per deposit: the canonical JSON snapshot of what was deposited and its SHA-256."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    sha256 = models.CharField(max_length=64)
    deposited_at = models.DateTimeField()
    deposited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_key = models.CharField(max_length=200, unique=True)
    proof_queued = models.BooleanField(default=False, help_text="proof e-mail waiting for the job worker")
    proof_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "number"]
        indexes = [models.Index(fields=["proof_queued"], condition=models.Q(proof_queued=True), name="proof_queue")]
        constraints = [models.UniqueConstraint(fields=["dossier", "number"], name="unique_dossier_version")]
