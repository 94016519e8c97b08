"""Evaluation: settings per wave, evaluators' scopes, assignments, conflicts, scores.

One row per (evaluation, criterion) with its value and comment; an abstention is a row
with no value, never a zero.
"""

from django.conf import settings
from django.db import models

from fabriques.evaluation.enums import (
    AssignmentMethod,
    AssignmentState,
    ConflictKind,
    EvaluationState,
    Opinion,
    PeerVisibility,
)


class WaveEvaluationSettings(models.Model):
    wave = models.OneToOneField("calls.Wave", on_delete=models.CASCADE, related_name="evaluation_settings")
    evaluators_per_dossier = models.PositiveSmallIntegerField("évaluateurs par dossier", default=3)
    peer_visibility = models.CharField(
        "voir les autres évaluations", max_length=20, choices=PeerVisibility.choices, default=PeerVisibility.AFTER_OWN
    )
    hide_applicant_identity = models.BooleanField("masquer l’identité du porteur aux évaluateurs", default=False)
    disagreement_spread = models.DecimalField(
        "écart signalant un désaccord", max_digits=4, decimal_places=2, default=1.5
    )

    def __str__(self) -> str:
        return f"Réglages d’évaluation — {self.wave}"


class EvaluatorScope(models.Model):
    """What an evaluator may be given: a track (or all) and a région (or all)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evaluator_scopes")
    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="+")
    track = models.ForeignKey("calls.Track", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    region_code = models.CharField(max_length=3, blank=True)

    def __str__(self) -> str:
        return f"{self.user} : {self.track or 'toutes entrées'} / {self.region_code or 'toutes régions'}"


class Assignment(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="assignments")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    state = models.CharField(
        max_length=30, choices=AssignmentState.choices, default=AssignmentState.AWAITING_DECLARATION
    )
    method = models.CharField(max_length=10, choices=AssignmentMethod.choices)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    assigned_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dossier", "evaluator"], name="unique_assignment")]
        indexes = [models.Index(fields=["evaluator", "state"])]

    def __str__(self) -> str:
        return f"{self.evaluator} → {self.dossier_id}"


class ConflictDeclaration(models.Model):
    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="declaration")
    has_conflict = models.BooleanField()
    kind = models.CharField(max_length=20, choices=ConflictKind.choices, blank=True)
    details = models.TextField(blank=True)
    declared_at = models.DateTimeField()

    def __str__(self) -> str:
        return "Conflit" if self.has_conflict else "Aucun conflit"


class Evaluation(models.Model):
    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="evaluation")
    state = models.CharField(max_length=10, choices=EvaluationState.choices, default=EvaluationState.DRAFT)
    opinion = models.CharField("avis global", max_length=20, choices=Opinion.choices, blank=True)
    summary = models.TextField("synthèse", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Évaluation {self.pk}"


class Score(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("calls.Criterion", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, help_text="vide : abstention")
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluation", "criterion"], name="unique_score")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"

    @property
    def display(self) -> str:
        """The value as people read it: « 3,5 », « Oui », « abstention », or « commentaire » (text-only criterion)."""
        if not self.criterion.scored:
            return "commentaire"
        return "abstention" if self.value is None else self.criterion.value_label(self.value)


class DossierScore(models.Model):
    """Consolidated figures of a dossier, stored by `evaluation.dossier_scores.dossier_scores_refresh` only."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="score")
    n_evaluations = models.PositiveSmallIntegerField(default=0)
    weighted = models.FloatField(null=True, blank=True)
    median = models.FloatField(null=True, blank=True)
    spread = models.FloatField(null=True, blank=True)
    std = models.FloatField(null=True, blank=True)
    below_threshold = models.JSONField(default=list, blank=True)
    opinions = models.JSONField(default=dict, blank=True)
    disagreement = models.BooleanField(default=False)
    calibrated = models.FloatField(null=True, blank=True)
    band_low = models.FloatField(null=True, blank=True)
    band_high = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["weighted"]), models.Index(fields=["calibrated"])]

    def __str__(self) -> str:
        return f"Notes {self.dossier_id}: {self.weighted}"
