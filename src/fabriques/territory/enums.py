from django.db import models


class Dataset(models.TextChoices):
    """Reference datasets the territory app imports; one `DatasetImport` row per import."""

    COMMUNES = "communes", "Communes (COG) avec un point par commune"
    QPV_2015 = "qpv-2015", "Quartiers prioritaires 2015 (codes QP…)"
    QPV_2024 = "qpv-2024", "Quartiers prioritaires 2024 (codes QN…)"
    TIERS_LIEUX = "tiers-lieux", "Recensement des tiers-lieux"
    COMMUNE_BOUNDARIES = "communes-contours", "Contours des communes (COG 2024, simplifiés)"

    @classmethod
    def for_vintage(cls, vintage: int) -> "Dataset":
        return cls(f"qpv-{vintage}")


QPV_VINTAGES = (2015, 2024)

class EligibilityStatus(models.TextChoices):
    """A dossier's eligibility status (`territory.eligibility`'s PASS / FAIL / MANUAL) as the interface words it."""

    PASSED = "pass", "Éligible"
    FAILED = "fail", "Non éligible"
    MANUAL = "manual", "À vérifier"


ELIGIBILITY_LABELS = dict(EligibilityStatus.choices)


class GeometryStatus(models.TextChoices):
    OK = "ok", "valide"
    REPAIRED = "repaired", "réparée"
    COLLAPSED = "collapsed", "réduite à un point (sans surface)"


# The 18 current regions (COG), for labels only: data files carry codes.
REGION_NAMES = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d’Azur",
    "94": "Corse",
}
