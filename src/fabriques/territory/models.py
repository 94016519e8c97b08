"""Official geography: communes (INSEE COG) with a point each, QPV perimeters per vintage, the census of tiers-lieux."""

import re
import unicodedata

from django.db import models

from fabriques.territory.enums import Dataset, GeometryStatus

_NON_WORD = re.compile(r"[^a-z0-9]+")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Latin letters with diacritics mapped once to plain letters: str.translate is much faster than NFKD per name.
_PLAIN = {code: _strip_accents(chr(code)) for code in range(0xC0, 0x250)} | {ord("œ"): "oe", ord("æ"): "ae"}


def search_key(text: str) -> str:
    """Accent- and case-free form of a name: "Saint-Étienne" -> "saint etienne"."""
    plain = (text or "").lower().translate(_PLAIN)
    if not plain.isascii():
        plain = _strip_accents(plain)
    return _NON_WORD.sub(" ", plain).strip()


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=120)
    departement_code = models.CharField("département", max_length=3, db_index=True)
    region_code = models.CharField("région", max_length=3, blank=True, db_index=True)
    postal_codes = models.CharField("codes postaux", max_length=200, blank=True, help_text="séparés par des espaces")
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

    @property
    def label(self) -> str:
        return f"{self.name} ({self.departement_code})"


class Qpv(models.Model):
    """A priority neighbourhood perimeter of one vintage; geometry is WKB in EPSG:4326 (lon/lat)."""

    vintage = models.PositiveSmallIntegerField("millésime")
    code = models.CharField("code", max_length=12)
    name = models.CharField("nom", max_length=200)
    commune_codes = models.CharField("communes", max_length=400, help_text="codes INSEE séparés par des virgules")
    commune_names = models.TextField("noms des communes", blank=True)
    departement_code = models.CharField("département", max_length=3, db_index=True)
    region_code = models.CharField("région", max_length=3, blank=True)
    geometry = models.BinaryField("géométrie (WKB, EPSG:4326)")
    geometry_status = models.CharField("état de la géométrie", max_length=10, choices=GeometryStatus.choices)
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()

    class Meta:
        ordering = ["vintage", "code"]
        verbose_name = "quartier prioritaire (QPV)"
        verbose_name_plural = "quartiers prioritaires (QPV)"
        constraints = [models.UniqueConstraint(fields=["vintage", "code"], name="territory_qpv_vintage_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class QpvCommune(models.Model):
    """One row per (QPV, commune): a QPV may straddle several communes."""

    qpv = models.ForeignKey(Qpv, on_delete=models.CASCADE, related_name="communes")
    commune_code = models.CharField(max_length=5, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["qpv", "commune_code"], name="territory_qpvcommune_unique")]


class TiersLieu(models.Model):
    """A place of the national census of tiers-lieux (point in EPSG:4326)."""

    source_id = models.CharField("identifiant source", max_length=40, unique=True)
    name = models.CharField("nom", max_length=250)
    address = models.CharField("adresse", max_length=300, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    commune_code = models.CharField("commune", max_length=5, blank=True, db_index=True)
    commune_name = models.CharField("nom de la commune", max_length=120, blank=True)
    typology = models.CharField("typologie", max_length=120, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["source_id"]
        verbose_name = "tiers-lieu recensé"
        verbose_name_plural = "tiers-lieux recensés"

    def __str__(self) -> str:
        return self.name


class DatasetImport(models.Model):
    """One successful import of a reference file: what was read, loaded, repaired and skipped."""

    dataset = models.CharField(max_length=20, choices=Dataset.choices, db_index=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows_read = models.PositiveIntegerField(default=0)
    rows_loaded = models.PositiveIntegerField(default=0)
    rows_repaired = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list, blank=True, help_text="lignes ignorées ou réparées, avec la raison")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        get_latest_by = ["imported_at", "id"]

    def __str__(self) -> str:
        return f"{self.dataset} {self.file_name} ({self.imported_at:%Y-%m-%d %H:%M})"


class CommuneBoundary(models.Model):
    """A commune's boundary (COG 2024, simplified), WKB in EPSG:4326: the commune of a point is the one containing it.

    Kept apart from `Commune` (COG 2022 points): imported as its own dataset, only where a boundary is needed.
    """

    code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=120)
    departement_code = models.CharField("département", max_length=3, db_index=True)
    former_codes = models.CharField(
        "anciens codes", max_length=400, blank=True,
        help_text="codes INSEE des communes fusionnées depuis dans celle-ci, séparés par des virgules",
    )
    geometry = models.BinaryField("contour (WKB, EPSG:4326)")
    inner_longitude = models.FloatField(help_text="un point toujours à l’intérieur du contour")
    inner_latitude = models.FloatField()

    class Meta:
        ordering = ["code"]
        verbose_name = "contour de commune"
        verbose_name_plural = "contours des communes"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
