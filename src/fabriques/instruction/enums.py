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


class ComplementState(models.TextChoices):
    """A request for complements: open until answered, cancelled by the instructor or past its deadline."""

    OPEN = "open", "En attente de réponse"
    ANSWERED = "answered", "Compléments reçus"
    EXPIRED = "expired", "Expirée"
    CANCELLED = "cancelled", "Annulée"


# Days between the request and its default deadline (the form's pre-filled date), and before the deadline
# at which the applicant is reminded once (`complements.complements_due_run`, run by the worker).
