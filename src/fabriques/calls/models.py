"""The call as data: one typed model per concept, loaded from a TOML definition.

A Call is written only by `calls.domain.call_load`; nothing else edits its rows.
Amounts are whole euros; weights and scales are decimals.
"""

from django.db import models
from django.utils import timezone

from fabriques.calls.enums import TargetKind, TargetScope
from fabriques.calls.kinds import CRITERION_KINDS


class Call(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField("intitulé", max_length=200)
    short_title = models.CharField("intitulé court", max_length=80)
    programme = models.CharField("programme", max_length=200)
    organiser = models.CharField("organisateur", max_length=200)
    summary = models.TextField("présentation")
    rules_url = models.URLField("règlement", blank=True)
    qpv_vintage = models.PositiveSmallIntegerField("millésime des QPV", default=2024)
    tiers_lieux_radius_m = models.PositiveIntegerField("rayon du réseau de tiers-lieux (m)", default=20000)
    # Programme-wide figures and identifiers (the definition's values; the defaults are the 2019 AMI's).
    reference_prefix = models.CharField("préfixe des références de dossier", max_length=8, default="FDT")
    programme_laureates = models.PositiveIntegerField("lauréats visés sur l’ensemble du programme", default=300)
    # Names of the admissibility checklist's lines (calls.kinds.CHECKLIST_ITEMS); empty: every registered line.
    checklist = models.JSONField("lignes de la liste de recevabilité", default=list, blank=True)
    source_name = models.CharField(max_length=200, help_text="fichier de définition chargé")
    source_sha256 = models.CharField(max_length=64)
    source_text = models.TextField()
    loaded_at = models.DateTimeField(default=timezone.now)
    # Retention of personal data (null: the platform's setting); see calls.retention.retention_for.
    draft_retention_days = models.PositiveIntegerField("conservation des brouillons inactifs (jours)", null=True)
    draft_notice_days = models.PositiveIntegerField("préavis avant suppression d’un brouillon (jours)", null=True)
    unfunded_retention_years = models.PositiveSmallIntegerField(
        "conservation des dossiers non financés après la décision (années)", null=True)
    funded_retention_years = models.PositiveSmallIntegerField(
        "conservation des dossiers lauréats après la décision (années)", null=True)
    # Requests for complements: the delay proposed to the instructor, and when the applicant is reminded.
    complement_default_days = models.PositiveSmallIntegerField("délai de réponse proposé aux compléments (jours)",
                                                               default=15)
    complement_reminder_days = models.PositiveSmallIntegerField("rappel avant l’échéance des compléments (jours)",
                                                                default=3)

    class Meta:
        ordering = ["slug"]
        verbose_name = "appel"

    def __str__(self) -> str:
        return self.title


class LegalForm(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="legal_forms")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["call", "position"]
        constraints = [models.UniqueConstraint(fields=["call", "code"], name="unique_legal_form")]

    def __str__(self) -> str:
        return self.label


class Wave(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="waves")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    opens_at = models.DateTimeField("ouverture")
    closes_at = models.DateTimeField("clôture")
    envelope_eur = models.PositiveBigIntegerField("enveloppe (€)", null=True, blank=True)
    max_laureates = models.PositiveIntegerField("lauréats au plus", null=True, blank=True)
    is_demo = models.BooleanField(default=False, help_text="vague de démonstration, hors définition")

    class Meta:
        ordering = ["call", "opens_at"]
        constraints = [models.UniqueConstraint(fields=["call", "slug"], name="unique_wave_slug")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, at=None) -> bool:
        now = at or timezone.now()
        return self.opens_at <= now < self.closes_at


class Track(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="tracks")
    slug = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    short_title = models.CharField(max_length=80)
    description = models.TextField()
    position = models.PositiveSmallIntegerField()
    amount_min_eur = models.PositiveIntegerField("montant minimal (€)")
    amount_max_eur = models.PositiveIntegerField("montant maximal (€)")
    duration_years = models.PositiveSmallIntegerField("durée (années)")
    per_year_cap_eur = models.PositiveIntegerField("plafond annuel (€)", null=True, blank=True)

    class Meta:
        ordering = ["call", "position"]
        constraints = [
            models.UniqueConstraint(fields=["call", "slug"], name="unique_track_slug"),
            models.CheckConstraint(
                condition=models.Q(amount_min_eur__lte=models.F("amount_max_eur")),
                name="track_amount_min_le_max",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EligibilityRule(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=30, help_text="a name of calls.kinds.RULE_KINDS")
    label = models.CharField(max_length=300)
    max_distance_m = models.PositiveIntegerField(null=True, blank=True)
    min_count = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["track", "position"]

    def __str__(self) -> str:
        return self.label


class Criterion(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    question = models.TextField("question posée")
    guidance = models.TextField("ce que montre une réponse solide")
    kind = models.CharField(max_length=20, default="scale", help_text="a name of calls.kinds.CRITERION_KINDS")
    weight = models.DecimalField(max_digits=6, decimal_places=2)
    scale_min = models.DecimalField(max_digits=5, decimal_places=2)
    scale_max = models.DecimalField(max_digits=5, decimal_places=2)
    scale_step = models.DecimalField(max_digits=5, decimal_places=2)
    threshold = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    max_length = models.PositiveIntegerField("longueur maximale (caractères)")
    tracks = models.ManyToManyField(Track, related_name="criteria")

    class Meta:
        ordering = ["call", "position"]
        constraints = [models.UniqueConstraint(fields=["call", "code"], name="unique_criterion_code")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def kind_spec(self):
        return CRITERION_KINDS[self.kind]

    @property
    def scored(self) -> bool:
        """False for a criterion evaluators only comment (text_only): it is left out of every mean."""
        return self.kind_spec.scored

    def value_label(self, value) -> str:
        """A value as people read it: « Oui » / « Non » for a yes/no, « 3,5 » on a scale."""
        return self.kind_spec.value_label(value)


class Reference(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="references")
    label = models.CharField(max_length=300)
    note = models.TextField(blank=True)
    url = models.URLField(blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["criterion", "position"]

    def __str__(self) -> str:
        return self.label


class RequiredAttachment(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="attachments")
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    help_text = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    allowed_types = models.JSONField(help_text="extensions autorisées, vérifiées sur le contenu")
    max_size_mb = models.PositiveIntegerField()
    max_files = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveSmallIntegerField()
    tracks = models.ManyToManyField(Track, related_name="attachments")

    class Meta:
        ordering = ["call", "position"]
        constraints = [models.UniqueConstraint(fields=["call", "code"], name="unique_attachment_code")]

    def __str__(self) -> str:
        return self.label


class BalanceTarget(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=30, choices=TargetKind.choices)
    scope = models.CharField(max_length=20, choices=TargetScope.choices, default=TargetScope.PROGRAMME)
    value = models.PositiveIntegerField()
    track = models.ForeignKey(Track, on_delete=models.CASCADE, null=True, blank=True)
    region_code = models.CharField(max_length=3, blank=True)
    label = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["call", "position"]

    def __str__(self) -> str:
        return self.label
