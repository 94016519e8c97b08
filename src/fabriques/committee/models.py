"""The committee's records: allocation scenarios with pins and adjusted amounts, staged decisions, outbox."""

from django.conf import settings
from django.db import models

from fabriques.committee.enums import OutboxState, Outcome, PinChoice


class Scenario(models.Model):
    wave = models.ForeignKey("calls.Wave", on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField("nom", max_length=120)
    envelope_eur = models.PositiveBigIntegerField("enveloppe (€)")
    max_laureates = models.PositiveIntegerField("lauréats au plus", null=True, blank=True)
    use_calibrated = models.BooleanField("classer sur les notes calibrées", default=True)
    targets = models.JSONField(
        "cibles d’équilibre de la vague",
        default=list,
        blank=True,
        help_text="parameters of the solve: [{kind, value, track, region, label}]",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField("dernier résultat du solveur", default=dict, blank=True)
    chosen = models.BooleanField("scénario retenu", default=False)

    class Meta:
        ordering = ["wave", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "name"], name="unique_scenario_name"),
            models.UniqueConstraint(fields=["wave"], condition=models.Q(chosen=True), name="one_chosen_scenario"),
        ]

    def __str__(self) -> str:
        return self.name


class ScenarioPin(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="pins")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=PinChoice.choices)
    reason = models.TextField("motif")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scenario", "dossier"], name="unique_pin")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dossier_id}"


class ScenarioAmount(models.Model):
    """An amount adjusted by the committee within the track's bounds."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="amounts")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    amount_eur = models.PositiveIntegerField()
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scenario", "dossier"], name="unique_amount")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.amount_eur}"


class Decision(models.Model):
    """A staged decision; applied together with the others of the wave through dossier_transition."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    amount_eur = models.PositiveIntegerField("montant accordé (€)", null=True, blank=True)
    waiting_rank = models.PositiveIntegerField("rang sur la liste d’attente", null=True, blank=True)
    reasons = models.TextField("motifs communiqués au porteur")
    scenario = models.ForeignKey(Scenario, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    staged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    staged_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["outcome", "applied_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.get_outcome_display()}"


class OutboxMessage(models.Model):
    """A decision letter and its e-mail, drafted for an admin to review and send."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="outbox")
    recipient = models.EmailField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
    letter = models.FileField(upload_to="letters/%Y/", blank=True)
    state = models.CharField(max_length=10, choices=OutboxState.choices, default=OutboxState.DRAFT)
    generated_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The outbox e-mail that carries the letter, from « Envoyer » on: its state says whether the letter has left.
    email = models.ForeignKey("mail.OutgoingEmail", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")

    class Meta:
        ordering = ["dossier", "-generated_at"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"
