"""Follow-up of the funded projects: the call's follow-up settings and indicators (loaded from the definition),
agreements with their versions (amendments), tranches, yearly reports with one row per indicator value and per
budget line, attachments, deposited versions, review comments, reminders and reimbursement orders.

States are written only by the transition functions of `followup.domain`; amounts are whole euros.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models

from fabriques.followup.enums import (
    AgreementState,
    IndicatorKind,
    Release,
    ReportSection,
    ReportState,
    TrancheState,
)
from fabriques.security.antivirus import ScanState


class FollowupSettings(models.Model):
    """The `[followup]` table of the call's definition, as validated (written only by `load-call`)."""

    call = models.OneToOneField("calls.Call", on_delete=models.CASCADE, related_name="followup_settings")
    agreement_title = models.CharField(max_length=300)
    grantor = models.CharField(max_length=300)
    signatory = models.CharField(max_length=300)
    obligations = models.JSONField(help_text="list of texts")
    payment_terms = models.TextField()
    tranches = models.JSONField(help_text="[{number, share_percent, release, after_report_year}]")
    reports = models.JSONField(help_text="[{year, label, due_days_after_period}]")
    reminder_days_before = models.JSONField(default=list)
    late_reminder_every_days = models.PositiveSmallIntegerField(default=14)

    def __str__(self) -> str:
        return self.agreement_title


class Indicator(models.Model):
    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=IndicatorKind.choices)
    unit = models.CharField(max_length=40, blank=True)
    help_text = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    choices = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField()
    tracks = models.ManyToManyField("calls.Track", related_name="indicators")

    class Meta:
        ordering = ["call", "position"]
        constraints = [models.UniqueConstraint(fields=["call", "code"], name="unique_indicator_code")]

    def __str__(self) -> str:
        return self.label


class Agreement(models.Model):
    """The grant agreement (convention) of a laureate; its content lives in versions (amendments)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField("référence", max_length=30, unique=True)
    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.PROTECT, related_name="agreement")
    call = models.ForeignKey("calls.Call", on_delete=models.PROTECT, related_name="agreements")
    state = models.CharField("état", max_length=12, choices=AgreementState.choices, default=AgreementState.DRAFT)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    amount_eur = models.PositiveIntegerField("montant de la subvention (€)")
    version_number = models.PositiveSmallIntegerField(default=1)
    starts_on = models.DateField("entrée en vigueur", null=True, blank=True)
    signed_file = models.FileField(upload_to="followup/signed/", max_length=200, blank=True)
    signed_name = models.CharField(max_length=120, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    signed_type = models.CharField(max_length=10, blank=True)
    signed_scan_state = models.CharField(max_length=12, choices=ScanState.choices, blank=True)
    signed_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signed_uploaded_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField("motif de fin anticipée", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Derived figures, written only by `domain.figures_refresh` whenever a tranche, a report or the amount changes:
    # list pages read them instead of recomputing per row.
    paid_eur = models.PositiveIntegerField(default=0)
    cancelled_eur = models.PositiveIntegerField(default=0)
    reports_received = models.PositiveSmallIntegerField(default=0)
    next_due_on = models.DateField("prochaine échéance", null=True, blank=True,
                                   help_text="earliest due date of a report still to fill or to correct")

    class Meta:
        ordering = ["reference"]
        verbose_name = "convention"
        indexes = [models.Index(fields=["call", "state"]), models.Index(fields=["call", "next_due_on"])]

    def __str__(self) -> str:
        return self.reference


class AgreementVersion(models.Model):
    """The agreement as generated or amended: canonical JSON snapshot and its SHA-256; the PDF is drawn from it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    snapshot = models.JSONField()
    sha256 = models.CharField(max_length=64)
    reason = models.TextField("motif")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="unique_agreement_version")]


class Tranche(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField("tranche")
    amount_eur = models.PositiveIntegerField("montant (€)")
    release = models.CharField(max_length=10, choices=Release.choices)
    after_report_year = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=TrancheState.choices, default=TrancheState.WAITING)
    due_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField("référence du paiement", max_length=80, blank=True)

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="unique_tranche_number")]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.agreement_id} tranche {self.number}"

    @property
    def condition(self) -> str:
        if self.release == Release.SIGNATURE:
            return "Versée à la signature de la convention"
        return f"Versée après acceptation du compte rendu de l’année {self.after_report_year}"


class Report(models.Model):
    """A yearly report of the laureate: indicators, financial report (CERFA n° 15059 shape), attachments."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField("année")
    label = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField("à rendre au plus tard le", db_index=True)
    state = models.CharField(max_length=20, choices=ReportState.choices, default=ReportState.TO_FILL)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    narrative = models.TextField("bilan qualitatif", blank=True)
    version = models.PositiveIntegerField(default=0, help_text="grows on each save (optimistic concurrency)")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", help_text="who saved last (own autosave: no conflict)")
    deposited_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "year"]
        constraints = [models.UniqueConstraint(fields=["agreement", "year"], name="unique_report_year")]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self) -> str:
        return self.label


class IndicatorValue(models.Model):
    """One typed value per (report, indicator): integers and money in `number_int`, decimals in `number_dec`."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    number_int = models.BigIntegerField(null=True, blank=True)
    number_dec = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="unique_indicator_value"),
            models.CheckConstraint(condition=models.Q(number_int__gte=0) | models.Q(number_int__isnull=True),
                                   name="indicator_int_not_negative"),
            models.CheckConstraint(condition=models.Q(number_dec__gte=0) | models.Q(number_dec__isnull=True),
                                   name="indicator_dec_not_negative"),
        ]


class SpendingLine(models.Model):
    """One charge category of the year: budgeted (the deposited budget) against spent, with the difference explained."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="spending")
    category = models.CharField(max_length=30)
    label = models.CharField(max_length=200)
    budgeted_eur = models.PositiveIntegerField()
    spent_eur = models.PositiveIntegerField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["report", "position"]
        constraints = [models.UniqueConstraint(fields=["report", "category"], name="unique_spending_category")]


def report_file_path(instance, filename: str) -> str:
    return f"followup/reports/{instance.report.uuid}/{secrets.token_hex(16)}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=report_file_path, max_length=200)
    original_name = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    detected_type = models.CharField(max_length=10)
    scan_state = models.CharField(max_length=12, choices=ScanState.choices, default=ScanState.NOT_SCANNED)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "uploaded_at"]


class ReportVersion(models.Model):
    """One row per deposit of a report: canonical snapshot, SHA-256; the proof PDF is drawn from it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    snapshot = models.JSONField()
    sha256 = models.CharField(max_length=64)
    deposited_at = models.DateTimeField()
    deposited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="unique_report_version")]


class ReportComment(models.Model):
    """The agent's comment on one section when asking for changes (kept per round: the version it answers)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments")
    version_number = models.PositiveSmallIntegerField()
    section = models.CharField(max_length=12, choices=ReportSection.choices)
    text = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["report", "version_number", "section"]


class ReportReminder(models.Model):
    """A reminder sent (queued in the outbox) for a report: once per kind (`before-30`, `late-2`…)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="unique_report_reminder")]


class ReimbursementOrder(models.Model):
    """Ordre de reversement: what the laureate pays back when the project ends early."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="reimbursements")
    reference = models.CharField(max_length=40, unique=True)
    amount_eur = models.PositiveIntegerField("montant à reverser (€)")
    reason = models.TextField("motif")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["agreement", "created_at"]
