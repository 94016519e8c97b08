from django.db import models


class AssignmentState(models.TextChoices):
    AWAITING_DECLARATION = "awaiting_declaration", "Déclaration d’intérêts attendue"
    ACTIVE = "active", "À évaluer"
    CONFLICT = "conflict", "Retiré : conflit d’intérêts"
    REMOVED = "removed", "Retiré"


class ConflictKind(models.TextChoices):
    WORKS_FOR = "works_for", "Je travaille ou ai travaillé pour le porteur"
    FAMILY = "family", "Lien familial"
    PARTNER = "partner", "Partenaire du projet"
    OTHER = "other", "Autre lien"


class EvaluationState(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Soumise"


class Opinion(models.TextChoices):
    FAVOURABLE = "favourable", "Favorable"
    RESERVED = "reserved", "Réservé"
    UNFAVOURABLE = "unfavourable", "Défavorable"


class PeerVisibility(models.TextChoices):
    NEVER = "never", "Jamais"
    AFTER_OWN = "after_own", "Après avoir soumis sa propre évaluation"
    ALWAYS = "always", "Toujours"


class AssignmentMethod(models.TextChoices):
    MANUAL = "manual", "Manuelle"
    AUTO = "auto", "Automatique"
