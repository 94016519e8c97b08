"""Official geography: communes (INSEE COG) with a point each; QPV and the census come with their importers."""

from django.db import models


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=120)
    departement_code = models.CharField("département", max_length=3, db_index=True)
    region_code = models.CharField("région", max_length=3, blank=True, db_index=True)
    postal_codes = models.CharField("codes postaux", max_length=200, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    parent_code = models.CharField(
        "commune parente", max_length=5, blank=True, help_text="pour les arrondissements de Paris, Lyon, Marseille"
    )
    search_name = models.CharField(max_length=120, db_index=True, help_text="nom sans accents, en minuscules")

    class Meta:
        ordering = ["code"]
        verbose_name = "commune"

    def __str__(self) -> str:
        return f"{self.name} ({self.departement_code})"
