from django.db import models


class RuleKind(models.TextChoices):
    """Eligibility rules a track may carry; each is checked by the territory app."""

    QPV_PROXIMITY = "qpv_proximity", "Situé dans un QPV ou à proximité immédiate"
    LEGAL_FORM = "legal_form", "Forme juridique éligible"
    TIERS_LIEUX_NETWORK = "tiers_lieux_network", "Tiers-lieux recensés à proximité"


class TargetKind(models.TextChoices):
    """Balance targets of the programme, read by the committee's optimiser."""

    MIN_RURAL = "min_rural", "Nombre minimal de lauréats hors grands pôles urbains"
    MIN_QPV = "min_qpv", "Nombre minimal de lauréats en QPV"
    TRACK_COUNT = "track_count", "Nombre visé de lauréats d’une entrée"
    REGION_MIN = "region_min", "Nombre minimal de lauréats par région"
    REGION_MAX = "region_max", "Nombre maximal de lauréats par région"
    MAX_PER_WAVE = "max_per_wave", "Nombre maximal de lauréats par vague"


class TargetScope(models.TextChoices):
    PROGRAMME = "programme", "Sur l’ensemble du programme"
    WAVE = "wave", "Par vague"
