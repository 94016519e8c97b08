"""Reads of the territory app, shaped for pages and the API with a fixed number of queries."""

from __future__ import annotations

import re

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Length

from fabriques.territory.models import Commune, DatasetImport, search_key

_CODE_LIKE = re.compile(r"^[0-9][0-9ab][0-9]{0,3}$")


def communes_search(q: str, limit: int = 10) -> list[Commune]:
    """Communes whose name starts with q (accents and case ignored), or whose INSEE or postal code starts with q.

    Name prefixes come first, then names where a later word starts with q ("etienne" finds Saint-Étienne);
    shorter names first so "Paris" comes before "Paris-l'Hôpital". One query.
    """
    text = (q or "").strip()
    if not text:
        return []
    lowered = text.lower().replace(" ", "")
    if _CODE_LIKE.match(lowered):
        code = lowered.upper()
        matches = Commune.objects.filter(
            Q(code__startswith=code) | Q(postal_codes__startswith=code) | Q(postal_codes__contains=f" {code}")
        ).annotate(rank=Case(When(code=code, then=Value(0)), default=Value(1), output_field=IntegerField()))
        return list(matches.order_by("rank", "code")[:limit])
    key = name_key(text)
    if not key:
        return []
    matches = Commune.objects.filter(Q(search_name__startswith=key) | Q(search_name__contains=f" {key}")).annotate(
        rank=Case(When(search_name__startswith=key, then=Value(0)), default=Value(1), output_field=IntegerField()),
        name_length=Length("search_name"),
    )
    return list(matches.order_by("rank", "name_length", "search_name", "code")[:limit])


_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
# "11eme", "11ème", "11 e", "11ieme" -> "11e" as the arrondissements are named ("Paris 11e Arrondissement").
_ORDINAL = re.compile(r"\b(\d{1,2})\s*(?:e|eme|ieme|em)\b")


def name_key(text: str) -> str:
    """What a person typed, as the names are keyed: accents, case, hyphens and apostrophes dropped, « St » → saint,
    ordinals as the arrondissements write them."""
    key = search_key(text)
    key = " ".join(_ABBREVIATIONS.get(word, word) for word in key.split())
    return _ORDINAL.sub(r"\1e", key)


def commune_get(code: str) -> Commune | None:
    return Commune.objects.filter(code=(code or "").strip().upper()).first()


def commune_as_dict(commune: Commune) -> dict:
    return {
        "code": commune.code,
        "name": commune.name,
        "departement": commune.departement_code,
        "region": commune.region_code,
        "label": commune.label,
    }


def dataset_imports_latest() -> dict[str, DatasetImport]:
    """The latest import of each dataset, keyed by dataset (one query)."""
    latest: dict[str, DatasetImport] = {}
    for row in DatasetImport.objects.defer("notes").order_by("dataset", "-imported_at", "-id"):
        latest.setdefault(row.dataset, row)
    return latest


