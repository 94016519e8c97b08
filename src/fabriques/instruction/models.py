"""Instruction: groups and routing, admissibility review, complements, messages."""

from django.conf import settings
from django.db import models

from fabriques.instruction.enums import Admissibility, CheckItem, CheckStatus, ComplementState
from fabriques.security.antivirus import ScanState


class InstructionGroup(models.Model):
    """A team of instructors (e.g. one per région); the national group takes unrouted files."""

    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="instruction_groups")
    slug = models.SlugField(max_length=60)
    name = models.CharField("nom", max_length=120)
    is_national = models.BooleanField("groupe national", default=False)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="instruction_groups", blank=True)

    class Meta:
        ordering = ["call", "-is_national", "name"]
        constraints = [
            models.UniqueConstraint(fields=["call", "slug"], name="unique_group_slug"),
            models.UniqueConstraint(
                fields=["call"], condition=models.Q(is_national=True), name="one_national_group_per_call"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Send a dossier whose place is in this département (or else this région) to the group."""

    group = models.ForeignKey(InstructionGroup, on_delete=models.CASCADE, related_name="rules")
    region_code = models.CharField("région", max_length=3, blank=True)
    departement_code = models.CharField("département", max_length=3, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(region_code="") & models.Q(departement_code="")),
                name="routing_rule_has_a_territory",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.departement_code or self.region_code} → {self.group}"


class Instruction(models.Model):
    """The instruction side of one dossier: its group and its admissibility decision."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="instruction")
    group = models.ForeignKey(InstructionGroup, on_delete=models.PROTECT, related_name="instructions")
    routed_at = models.DateTimeField()
    routed_manually = models.BooleanField(default=False)
    decision = models.CharField(max_length=20, choices=Admissibility.choices, blank=True)
    decision_reason = models.TextField("motif lisible par le porteur", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="instructeur attribué", on_delete=models.SET_NULL, null=True,
        blank=True, related_name="assigned_instructions",
        help_text="one instructor of the dossier's group in charge of it (« Attribuer à un instructeur »)",
    )
    is_qpv = models.BooleanField("en QPV ou à proximité", null=True, blank=True)
    is_rural = models.BooleanField("hors des grands pôles urbains", null=True, blank=True)
    checklist_status = models.CharField(
        "complétude",
        max_length=10,
        choices=CheckStatus.choices,
        default=CheckStatus.PENDING,
        help_text="stored by checklist_refresh: ko if any line is ko, pending if any is pending, else ok",
    )

    class Meta:
        indexes = [models.Index(fields=["group", "decision"])]

    def __str__(self) -> str:
        return f"Instruction {self.dossier_id}"


class AdmissibilityCheck(models.Model):
    """One line of the checklist: computed status, or an instructor's manual confirmation with a reason."""

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="checks")
    item = models.CharField(max_length=20, choices=CheckItem.choices)
    status = models.CharField(max_length=10, choices=CheckStatus.choices, default=CheckStatus.PENDING)
    detail = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_reason = models.TextField(blank=True)
    overrides_failure = models.BooleanField(
        "dérogation à un point non conforme", default=False,
        help_text="the confirmed line was computed non-compliant: an explicit override, shown wherever the line is",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instruction", "item"], name="unique_check_item")]

    def __str__(self) -> str:
        return f"{self.get_item_display()} : {self.get_status_display()}"


class ComplementRequest(models.Model):
    """An instructor asks for specific items by a deadline; the applicant may edit only those."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="complement_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField("réponse attendue avant")
    message = models.TextField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    # Only `instruction.complements` writes these (lifecycle: open → answered | expired | cancelled).
    state = models.CharField("état", max_length=10, choices=ComplementState.choices, default=ComplementState.OPEN)
    base_version = models.PositiveIntegerField("version déposée au moment de la demande", null=True, blank=True)
    answer_version = models.PositiveIntegerField("version déposée avec les compléments", null=True, blank=True)
    reminded_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)
    closed_at = models.DateTimeField("annulée ou expirée le", null=True, blank=True)
    closed_reason = models.TextField("motif de l’annulation", blank=True)
    extension_reason = models.TextField("motif de la dernière prolongation", blank=True)
    seen_at = models.DateTimeField("compléments consultés par l’instruction le", null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["state", "due_at"], name="complement_state_due")]

    def __str__(self) -> str:
        return f"Compléments {self.dossier_id} ({self.requested_at:%Y-%m-%d})"


class ComplementItem(models.Model):
    """One section the applicant may edit: 'place', 'budget', 'criterion:<code>' or 'attachment:<code>'."""

    request = models.ForeignKey(ComplementRequest, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=80)
    label = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.label


class Message(models.Model):
    """A message on a dossier between agents and the applicant (or between agents only)."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    body = models.TextField()
    internal = models.BooleanField("entre agents seulement", default=False)
    attachment = models.FileField(upload_to="messages/%Y/%m/", blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_scan_state = models.CharField(
        "analyse antivirus de la pièce jointe", max_length=12, choices=ScanState.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Message {self.pk} sur {self.dossier_id}"


class DashboardPreference(models.Model):
    """The columns and the number of rows per page an agent chose for the dashboard."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_preference")
    columns = models.JSONField(default=list)
    # Rows per page: "50", "100", "250" or "all" (every row, streamed); see instruction.queries.PAGE_SIZES.
    page_size = models.CharField(max_length=4, default="50")

    def __str__(self) -> str:
        return f"Colonnes de {self.user}"


class DossierFollow(models.Model):
    """An agent follows a dossier (« Suivre »): it is in their « Mes dossiers suivis » and their daily digest.

    Assigning a dossier to an instructor (`Instruction.assigned_to`) makes them follow it too.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dossier_follows")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "dossier"], name="unique_dossier_follow")]

    def __str__(self) -> str:
        return f"{self.user} suit {self.dossier_id}"


class FollowDigest(models.Model):
    """When the changes on an agent's followed dossiers were last read for their digest (at most once a day)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follow_digest")
    last_sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Récapitulatif de {self.user}"


class SavedFilter(models.Model):
    """A dashboard filter an agent named and kept: the query string of the dashboard (without the page)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField("nom", max_length=80)
    query = models.CharField("filtres", max_length=1000, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="unique_saved_filter_name")]

    def __str__(self) -> str:
        return self.name


class Label(models.Model):
    """A label of a call's dossiers (« À relancer », « Visite prévue »), set by the instruction; filterable."""

    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="labels")
    name = models.CharField("étiquette", max_length=40)
    dossiers = models.ManyToManyField("dossiers.Dossier", related_name="labels", blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["call", "name"], name="unique_label_per_call")]

    def __str__(self) -> str:
        return self.name
