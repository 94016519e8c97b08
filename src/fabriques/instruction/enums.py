from django.db import models


class CheckStatus(models.TextChoices):
    OK = "ok", "Conforme"
    KO = "ko", "Non conforme"
    MANUAL = "manual", "Confirmé manuellement"
    PENDING = "pending", "À vérifier"


class CheckItem(models.TextChoices):
    """The admissibility checklist, derived from the call definition."""

    LEGAL_FORM = "legal_form", "Forme juridique éligible"
    ATTACHMENTS = "attachments", "Pièces obligatoires présentes"
    BUDGET = "budget", "Montant demandé dans les bornes et budget équilibré"
    LOCATION = "location", "Règle de localisation respectée"


class Admissibility(models.TextChoices):
    ADMISSIBLE = "admissible", "Recevable"
    INADMISSIBLE = "inadmissible", "Irrecevable"
