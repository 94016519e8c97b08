"""Batch checks: many places from one CSV at once (`locate --csv`, the agents' upload page).

Each line gives an identifier and the place: latitude and longitude, or an INSEE commune code (then the result is
approximate), or an address (geocoded one by one through BAN, only when FABRIQUES_BAN_URL is set). Everything
else is vectorised: territories, communes by boundary, QPV distances, tiers-lieux within the radius; then each
geographic rule of the chosen call's tracks gives its verdict. A bad line gets its French reason in `erreur` and
never stops the others.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from fabriques.calls.models import Call
from fabriques.refusal import Refusal
from fabriques.territory.eligibility import GEO_RULES, geo_rule_result
from fabriques.territory.enums import ELIGIBILITY_LABELS, REGION_NAMES, Dataset
from fabriques.territory.geocode import GeocodingError, address_geocode, geocoding_enabled
from fabriques.territory.geometry import OUTSIDE, TERRITORIES, outside_france_message, territories_of
from fabriques.territory.index import communes_index, qpv_index, tiers_lieux_index
from fabriques.territory.locate import (
    Location,
    QpvSituation,
    TiersLieuxNearby,
    communes_at_bulk,
    communes_by_code,
    qpv_nearest_bulk,
    tiers_lieux_within_bulk,
    uncovered_within_bulk,
)
from fabriques.territory.locate import _refusal as refusal
from fabriques.territory.models import Commune

MAX_ROWS = 100_000

_COLUMNS = {
    "id": ("id", "identifiant", "reference", "référence", "ref"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng"),
    "commune": ("code_insee", "insee", "code_commune", "commune"),
    "address": ("adresse", "address"),
}
OUTPUT_COLUMNS = [
    "id", "latitude", "longitude", "source", "territoire", "commune_code", "commune_nom", "commune_trouvee_par",
    "departement", "region", "qpv_millesime", "qpv_couvert", "qpv_code", "qpv_nom", "dans_qpv", "distance_qpv_m",
    "approximatif", "tiers_lieux_dans_le_rayon",
]
_METHOD_LABELS = {
    "declared": "code indiqué", "boundary": "contour", "near-boundary": "contour le plus proche",
    "nearest-point": "point de commune le plus proche",
}


class BatchError(Refusal, ValueError):
    """The file as a whole cannot be read; the message is in French."""


@dataclass
class BatchPlace:
    line: int
    id: str
    latitude: float | None = None
    longitude: float | None = None
    commune_code: str = ""
    address: str = ""
    error: str = ""


def _number(text: str, *, axis: str, bound: float) -> float:
    value = float(text.strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
    if not math.isfinite(value) or abs(value) > bound:
        raise ValueError(f"{axis} {text} hors de [-{bound:g}, {bound:g}]")
    return value


def batch_parse(text: str) -> list[BatchPlace]:
    """The places of a CSV (comma, semicolon or tab); a missing column or an empty file raises BatchError."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    columns = {name: next((header.index(c) for c in names if c in header), None) for name, names in _COLUMNS.items()}
    has_point = columns["latitude"] is not None and columns["longitude"] is not None
    if columns["id"] is None or not (has_point or columns["commune"] is not None or columns["address"] is not None):
        raise BatchError(
            "Colonnes attendues : id, puis latitude et longitude, ou code_insee, ou adresse "
            f"(colonnes trouvées : {', '.join(header) or 'aucune'})."
        )
    places = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(places) >= MAX_ROWS:
            raise BatchError(f"Plus de {MAX_ROWS:,} lieux : découpez le fichier.".replace(",", "\u202f"))

        def cell(name: str, values=values) -> str:
            at = columns[name]
            return values[at].strip() if at is not None and at < len(values) else ""

        place = BatchPlace(line=line, id=cell("id"), commune_code=cell("commune").upper(), address=cell("address"))
        lat, lon = cell("latitude"), cell("longitude")
        if lat or lon:
            try:
                place.latitude = _number(lat, axis="latitude", bound=90)
                place.longitude = _number(lon, axis="longitude", bound=180)
            except ValueError as exc:
                reason = str(exc) if "hors de" in str(exc) else "nombre décimal attendu"
                place.latitude = place.longitude = None
                place.error = f"ligne {line} : coordonnées illisibles ({reason})."
        elif not place.commune_code and not place.address:
            place.error = f"ligne {line} : ni coordonnées, ni code INSEE, ni adresse."
        places.append(place)
    if not places:
        raise BatchError("Le fichier ne contient aucun lieu (une ligne d’en-tête puis une ligne par lieu).")
    return places


def _points(places: list[BatchPlace]) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Commune]]:
    """Longitude, latitude (NaN when unknown), source per place; declared communes by code."""
    declared = {c.code: c for c in Commune.objects.filter(code__in={p.commune_code for p in places if p.commune_code})}
    lon, lat = np.full(len(places), np.nan), np.full(len(places), np.nan)
    source = np.full(len(places), "", dtype=object)
    for at, place in enumerate(places):
        if place.error:
            continue
        if place.commune_code and place.commune_code not in declared:
            place.error = f"ligne {place.line} : commune {place.commune_code} inconnue du référentiel chargé."
            continue
        if place.latitude is not None:
            lon[at], lat[at], source[at] = place.longitude, place.latitude, "coordonnées"
        elif place.address:
            _geocoded(place, declared)
            if place.latitude is not None:
                lon[at], lat[at], source[at] = place.longitude, place.latitude, "adresse"
        if np.isnan(lon[at]) and place.commune_code and not place.error:
            commune = declared[place.commune_code]
            lon[at], lat[at], source[at] = commune.longitude, commune.latitude, "commune"
    return lon, lat, source, declared


def _geocoded(place: BatchPlace, declared: dict[str, Commune]) -> None:
    if not geocoding_enabled():
        if not place.commune_code:
            place.error = f"ligne {place.line} : géocodage d’adresse non activé, indiquez les coordonnées."
        return
    try:
        found = address_geocode(place.address, commune_code=place.commune_code or None)
    except GeocodingError as exc:
        found, reason = None, f"adresse non localisée ({exc})"
    else:
        reason = "adresse introuvable dans la Base adresse nationale"
    if found is None:
        if not place.commune_code:
            place.error = f"ligne {place.line} : {reason}."
        return
    place.latitude, place.longitude = found.latitude, found.longitude
    if not place.commune_code and found.commune_code:
        commune = Commune.objects.filter(code=found.commune_code).first()
        if commune is not None:
            declared[commune.code] = commune
            place.commune_code = commune.code


@dataclass(frozen=True)
class BatchResult:
    header: list[str]
    rows: list[list[str]]
    counts: dict[str, int]  # per verdict label, and "erreur"

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue()


def _yes_no(value) -> str:
    return "" if value is None else ("oui" if value else "non")


def batch_check(places: list[BatchPlace], *, call: Call | None = None, vintage: int = 2024,
                radius_m: int = 20000) -> BatchResult:
    """Locate every place and, with a call, the verdict of each geographic rule of each of its tracks."""
    if call is not None:
        vintage, radius_m = call.qpv_vintage, call.tiers_lieux_radius_m
    tracks = [(t, [r for r in t.rules.all() if r.kind in GEO_RULES]) for t in call.tracks.order_by("position")] \
        if call is not None else []
    lon, lat, source, declared = _points(places)
    located = ~np.isnan(lon)
    where = np.full(len(places), OUTSIDE, dtype=np.int64)
    where[located] = territories_of(lon[located], lat[located])
    found = communes_at_bulk(np.where(located, lon, 0.0), np.where(located, lat, 0.0))
    codes = [p.commune_code or str(found.codes[at]) for at, p in enumerate(places)]
    communes = declared | communes_by_code({c for c in codes if c and c not in declared})
    refused = [None] * len(places)
    doubtful = located & ((where == OUTSIDE) | ((found.methods == "outside") & np.array([not p.commune_code
                                                                                          for p in places])))
    for at in np.nonzero(doubtful)[0]:
        refused[at] = (outside_france_message(lat[at], lon[at]) if places[at].commune_code
                       else refusal(lat[at], lon[at], str(found.methods[at]), float(found.outside_m[at])))
    qpv = _qpv_bulk(vintage, lon, lat, located & np.array([r is None for r in refused]), codes=codes, communes=communes)
    nearby = _tiers_lieux_bulk(radius_m, lon, lat, located)
    header = OUTPUT_COLUMNS + [
        f"{track.slug}:{rule.kind}{suffix}" for track, rules in tracks for rule in rules for suffix in ("", ":motif")
    ] + ["remarques"]
    rows, counts = [], dict.fromkeys(ELIGIBILITY_LABELS.values(), 0) | {"erreur": 0}
    missing = [] if communes_index() is not None else [Dataset.COMMUNES.label]
    for at, place in enumerate(places):
        commune = communes.get(codes[at]) if located[at] and not refused[at] else None
        method = "declared" if place.commune_code else str(found.methods[at])
        location = Location(
            latitude=float(lat[at]) if located[at] else None, longitude=float(lon[at]) if located[at] else None,
            approximate=source[at] == "commune", source=source[at] or "none", commune=None,
            departement=commune.departement_code if commune else None, region=commune.region_code if commune else None,
            region_name=None, qpv=qpv[at], tiers_lieux=nearby[at], refused=refused[at],
            commune_method=method if commune else None,
        )
        remark = place.error or refused[at] or ""
        if commune is not None and method == "nearest-point":
            remark = "Commune déduite du point de commune le plus proche (contours non chargés)."
        if place.error or refused[at]:
            counts["erreur"] += 1
        row = [
            place.id, _coordinate(lat[at]), _coordinate(lon[at]), source[at],
            TERRITORIES[where[at]].name if where[at] != OUTSIDE else "",
            commune.code if commune else "", commune.name if commune else "",
            _METHOD_LABELS.get(method, "") if commune else "", commune.departement_code if commune else "",
            REGION_NAMES.get(commune.region_code, commune.region_code) if commune else "", str(vintage),
            _yes_no(qpv[at].covered if qpv[at].code or qpv[at].covered is False else None),
            qpv[at].code or "", qpv[at].name or "", _yes_no(qpv[at].inside),
            "" if qpv[at].distance_m is None else str(round(qpv[at].distance_m)),
            _yes_no(location.approximate) if located[at] else "",
            "" if nearby[at].count is None else str(nearby[at].count),
        ]
        for track, rules in tracks:
            for rule in rules:
                if place.error:
                    row += ["", ""]
                    continue
                result = geo_rule_result(rule, track, location)
                label = ELIGIBILITY_LABELS[result.status]
                counts[label] += 1
                row += [label, result.reason]
        rows.append([*row, " ".join(filter(None, [remark, *missing]))])
    return BatchResult(header=header, rows=rows, counts=counts)


def _coordinate(value: float) -> str:
    return "" if np.isnan(value) else f"{value:.6f}"


def _qpv_bulk(vintage: int, lon, lat, wanted: np.ndarray, *, codes: list[str], communes: dict) -> list[QpvSituation]:
    index = qpv_index(vintage)
    if index is None or not len(index):
        return [QpvSituation(vintage=vintage, loaded=False)] * len(codes)
    covered = np.array([
        index.covers(region=communes[c].region_code, departement=communes[c].departement_code)
        if c in communes else None for c in codes
    ], dtype=object)
    compute = wanted & np.array([c is not False for c in covered])
    chosen = np.nonzero(compute)[0]
    bulk = qpv_nearest_bulk(index, lon[chosen], lat[chosen])
    edge = uncovered_within_bulk(index, lon[chosen], lat[chosen])
    result = [QpvSituation(vintage=vintage, loaded=True, covered=False if c is False else None) for c in covered]
    for k, at in enumerate(chosen):
        near = int(bulk.nearest[k])
        if near < 0:
            result[at] = QpvSituation(vintage=vintage, loaded=True, covered=False)
            continue
        result[at] = QpvSituation(
            vintage=vintage, loaded=True, covered=covered[at], inside=bool(bulk.inside[k]),
            code=str(index.codes[near]), name=str(index.names[near]), distance_m=float(bulk.distance_m[k]),
            geometry_status=str(index.statuses[near]), communes=str(index.communes[near]).split(","),
            uncovered_within_m=None if np.isnan(edge[k]) else float(edge[k]),
        )
    return result


def _tiers_lieux_bulk(radius_m: int, lon, lat, located: np.ndarray) -> list[TiersLieuxNearby]:
    index = tiers_lieux_index()
    if index is None:
        return [TiersLieuxNearby(loaded=False, radius_m=radius_m)] * len(lon)
    chosen = np.nonzero(located)[0]
    found = tiers_lieux_within_bulk(index, lon[chosen], lat[chosen], radius_m)
    order = np.lexsort((found.metres, found.point))
    points, at_first = np.unique(found.point[order], return_index=True)
    first = dict(zip(points.tolist(), order[at_first].tolist(), strict=True))
    result = [TiersLieuxNearby(loaded=True, radius_m=radius_m) for _ in range(len(lon))]
    for k, at in enumerate(chosen):
        nearest = []
        if k in first:
            row = index.rows[found.place[first[k]]]
            nearest = [{"name": row[0], "commune": row[1], "typology": row[3],
                        "distance_m": round(float(found.metres[first[k]]))}]
        result[at] = TiersLieuxNearby(loaded=True, radius_m=radius_m, count=int(found.counts[k]), nearest=nearest)
    return result
