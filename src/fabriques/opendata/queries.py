"""Open data of laureates: dossiers in state laureate whose committee decision is applied; nothing personal."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier

COLUMNS = [
    "reference", "nom_lieu", "commune", "code_insee", "departement", "region", "appel", "vague", "vague_libelle",
    "entree", "entree_libelle", "montant_eur", "date_decision", "latitude", "longitude", "source_coordonnees",
    "code_qpv", "quartier_prioritaire",
]
_VALUES = [
    "reference", "place_name", "place_commune__name", "place_commune__code", "place_commune__departement_code",
    "place_commune__region_code", "wave__call__slug", "wave__slug", "wave__title", "track__slug", "track__title",
    "decision__amount_eur", "decision__applied_at", "place_latitude", "place_longitude",
    "place_commune__latitude", "place_commune__longitude", "instruction__is_qpv",
    "eligibility_report__location__qpv__code", "eligibility_report__location__qpv__inside",
]


def laureates(*, wave: str = "", track: str = "", region: str = "") -> QuerySet[Dossier]:
    qs = Dossier.objects.filter(state=DossierState.LAUREATE, decision__applied_at__isnull=False)
    if wave:
        qs = qs.filter(wave__slug=wave)
    if track:
        qs = qs.filter(track__slug=track)
    if region:
        qs = qs.filter(place_commune__region_code=region)
    return qs


def _record(row: tuple) -> dict:
    (reference, place, commune, code, dep, region, call, wave, wave_title, track, track_title, amount, decided,
     lat, lon, commune_lat, commune_lon, is_qpv, qpv_code, qpv_inside) = row
    own = lat is not None and lon is not None
    in_qpv = is_qpv if is_qpv is not None else bool(qpv_inside)
    return {
        "reference": reference, "nom_lieu": place, "commune": commune or "", "code_insee": code or "",
        "departement": dep or "", "region": region or "", "appel": call, "vague": wave, "vague_libelle": wave_title,
        "entree": track, "entree_libelle": track_title, "montant_eur": amount,
        "date_decision": timezone.localtime(decided).date(),
        "latitude": round(lat if own else commune_lat, 6) if (own or commune_lat is not None) else None,
        "longitude": round(lon if own else commune_lon, 6) if (own or commune_lon is not None) else None,
        "source_coordonnees": "lieu" if own else "commune",
        "code_qpv": (qpv_code or "") if in_qpv else "",
        # The statistics count the instruction's classification: so does this column, even when the QPV's code is
        # unknown (classified by hand, or QPV data not loaded when the eligibility was computed).
        "quartier_prioritaire": bool(in_qpv),
    }


def laureate_records(qs: QuerySet[Dossier] | None = None, *, limit: int | None = None) -> Iterator[dict]:
    """One dict per laureate with the open-data columns, in reference order (one query, streamed)."""
    qs = (laureates() if qs is None else qs).order_by("reference", "id").values_list(*_VALUES)
    for row in (qs[:limit] if limit else qs.iterator(chunk_size=2000)):
        yield _record(row)
