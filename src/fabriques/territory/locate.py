"""Locating a place: commune, département, région, QPV (inside? nearest, distance in metres), nearby tiers-lieux.

A place comes from coordinates, or from an address through BAN when FABRIQUES_BAN_URL is set, or failing both
from its commune's point (then `approximate` is true). Distances are computed in Lambert-93 (EPSG:2154).
Missing datasets are listed in `missing`, never guessed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import shapely

from fabriques.territory.enums import REGION_NAMES, Dataset, GeometryStatus
from fabriques.territory.geocode import GeocodingError, address_geocode, geocoding_enabled
from fabriques.territory.geometry import lonlat_to_l93
from fabriques.territory.index import PointIndex, QpvIndex, communes_index, qpv_index, tiers_lieux_index
from fabriques.territory.models import Commune

NEAREST_TIERS_LIEUX = 5


@dataclass(frozen=True)
class QpvSituation:
    vintage: int
    loaded: bool
    covered: bool | None = None  # False: the loaded file does not cover the place's region (e.g. a regional file)
    inside: bool | None = None
    code: str | None = None
    name: str | None = None
    distance_m: float | None = None
    geometry_status: str | None = None
    communes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TiersLieuxNearby:
    loaded: bool
    radius_m: int
    count: int | None = None
    nearest: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Location:
    latitude: float | None
    longitude: float | None
    approximate: bool
    source: str  # "coordinates" | "address" | "commune" | "none"
    commune: dict | None
    departement: str | None
    region: str | None
    region_name: str | None
    qpv: QpvSituation
    tiers_lieux: TiersLieuxNearby
    address: str | None = None
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def as_dict(self) -> dict:
        data = asdict(self)
        if data["qpv"]["distance_m"] is not None:
            data["qpv"]["distance_m"] = round(data["qpv"]["distance_m"])
        return data


@dataclass(frozen=True)
class BulkQpv:
    """Vectorised result for many points: inside flags, index of the nearest QPV (-1: none) and distances."""

    inside: np.ndarray
    nearest: np.ndarray
    distance_m: np.ndarray


# Below this distance to the nearest perimeter vertex, distances are computed exactly against the polygons.
EXACT_BELOW_M = 3000


def qpv_nearest_bulk(index: QpvIndex, x: np.ndarray, y: np.ndarray) -> BulkQpv:
    """Nearest QPV perimeter of each Lambert-93 point and the distance to it, 0 inside.

    Exact (GEOS distance to the polygons) for points inside or within EXACT_BELOW_M of a perimeter; beyond, the
    distance to the nearest vertex of the densified perimeters (over by less than 0.3 m). All vectorised.
    """
    count = len(x)
    nearest = np.full(count, -1, dtype=np.int64)
    distance = np.full(count, np.inf)
    if not len(index) or not count:
        return BulkQpv(inside=np.zeros(count, dtype=bool), nearest=nearest, distance_m=distance)
    points = shapely.points(x, y)
    vertex_distance, vertex = index.vertices.query(np.column_stack([x, y]), k=1)
    nearest[:] = index.vertex_owner[vertex]
    distance[:] = vertex_distance
    inside_points = index.tree.query(points, predicate="intersects")[0]
    exact = np.union1d(np.nonzero(vertex_distance < EXACT_BELOW_M)[0], inside_points)
    if exact.size:
        (which, qpv), dist = index.tree.query_nearest(points[exact], return_distance=True, all_matches=False)
        nearest[exact[which]] = qpv
        distance[exact[which]] = dist
    return BulkQpv(inside=distance == 0, nearest=nearest, distance_m=distance)


def locate_points(longitudes, latitudes, *, vintage: int) -> BulkQpv | None:
    """QPV situation of many lon/lat points at once (None when the vintage is not loaded)."""
    index = qpv_index(vintage)
    if index is None:
        return None
    x, y = lonlat_to_l93(longitudes, latitudes)
    return qpv_nearest_bulk(index, np.atleast_1d(x), np.atleast_1d(y))


def _qpv_situation(x: float, y: float, vintage: int, commune: Commune | None) -> QpvSituation:
    index = qpv_index(vintage)
    if index is None or not len(index):
        return QpvSituation(vintage=vintage, loaded=False)
    covered = index.covers(
        region=commune.region_code if commune else None, departement=commune.departement_code if commune else None
    )
    if covered is False:
        return QpvSituation(vintage=vintage, loaded=True, covered=False)
    bulk = qpv_nearest_bulk(index, np.array([x]), np.array([y]))
    at = int(bulk.nearest[0])
    return QpvSituation(
        vintage=vintage, loaded=True, covered=covered, inside=bool(bulk.inside[0]), code=str(index.codes[at]),
        name=str(index.names[at]), distance_m=float(bulk.distance_m[0]),
        geometry_status=str(index.statuses[at]), communes=str(index.communes[at]).split(","),
    )


def _tiers_lieux_nearby(x: float, y: float, radius_m: int) -> TiersLieuxNearby:
    index = tiers_lieux_index()
    if index is None:
        return TiersLieuxNearby(loaded=False, radius_m=radius_m)
    within = index.tree.query(shapely.points(x, y), predicate="dwithin", distance=radius_m)
    distances = np.hypot(index.x[within] - x, index.y[within] - y)
    order = np.argsort(distances, kind="stable")[:NEAREST_TIERS_LIEUX]
    nearest = [
        {"name": index.rows[within[i]][0], "commune": index.rows[within[i]][1],
         "typology": index.rows[within[i]][3], "distance_m": round(float(distances[i]))}
        for i in order
    ]
    return TiersLieuxNearby(loaded=True, radius_m=radius_m, count=len(within), nearest=nearest)


def _commune_at(x: float, y: float, index: PointIndex | None) -> Commune | None:
    if index is None or not len(index):
        return None
    at = int(index.tree.query_nearest(shapely.points(x, y))[0])
    row = index.rows[at]
    return Commune.objects.filter(code=row[6] or row[0]).first()


def _commune_dict(commune: Commune | None) -> dict | None:
    return {"code": commune.code, "name": commune.name} if commune else None


def _geocode(address: str, commune_code: str | None, notes: list[str]):
    if not address or not geocoding_enabled():
        if address:
            notes.append("Géocodage d’adresse non activé : l’adresse n’a pas été localisée.")
        return None
    try:
        found = address_geocode(address, commune_code=commune_code)
    except GeocodingError as exc:
        notes.append(f"Adresse non localisée : {exc}.")
        return None
    if found is None:
        notes.append("Adresse introuvable dans la Base adresse nationale.")
    return found


def locate(
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str | None = None,
    commune_code: str | None = None,
    qpv_vintage: int = 2024,
    tiers_lieux_radius_m: int = 20000,
) -> Location:
    """Where a place is and what is around it; anything that could not be computed is None and listed."""
    notes: list[str] = []
    commune = Commune.objects.filter(code=commune_code.strip().upper()).first() if commune_code else None
    if commune_code and commune is None:
        notes.append(f"Commune {commune_code} inconnue du référentiel chargé.")
    source, label = "coordinates", None
    if latitude is None or longitude is None:
        latitude = longitude = None
        found = _geocode(address or "", commune.code if commune else None, notes)
        if found is not None:
            latitude, longitude, source, label = found.latitude, found.longitude, "address", found.label
            commune = commune or Commune.objects.filter(code=found.commune_code).first()
        elif commune is not None:
            latitude, longitude, source = commune.latitude, commune.longitude, "commune"
        else:
            source = "none"
    return _located(
        latitude=latitude, longitude=longitude, source=source, label=label, commune=commune, notes=notes,
        qpv_vintage=qpv_vintage, radius_m=tiers_lieux_radius_m,
    )


def _located(*, latitude, longitude, source, label, commune, notes, qpv_vintage, radius_m) -> Location:
    missing = []
    if communes_index() is None:
        missing.append(Dataset.COMMUNES.value)
    if latitude is None:
        qpv = QpvSituation(vintage=qpv_vintage, loaded=qpv_index(qpv_vintage) is not None)
        nearby = TiersLieuxNearby(loaded=tiers_lieux_index() is not None, radius_m=radius_m)
    else:
        x, y = (float(v) for v in lonlat_to_l93(longitude, latitude))
        if commune is None:
            commune = _commune_at(x, y, communes_index())
            if commune is not None:
                notes.append("Commune déduite du point de commune le plus proche.")
        qpv = _qpv_situation(x, y, qpv_vintage, commune)
        nearby = _tiers_lieux_nearby(x, y, radius_m)
    if not qpv.loaded:
        missing.append(Dataset.for_vintage(qpv_vintage).value)
    if not nearby.loaded:
        missing.append(Dataset.TIERS_LIEUX.value)
    if qpv.covered is False:
        notes.append(f"Les QPV {qpv_vintage} chargés ne couvrent pas ce territoire : situation QPV non calculée.")
    if qpv.geometry_status == GeometryStatus.COLLAPSED:
        notes.append(f"Le périmètre du QPV {qpv.code} est réduit à un point : distance indicative.")
    region = commune.region_code if commune else None
    return Location(
        latitude=latitude, longitude=longitude, approximate=source == "commune", source=source,
        commune=_commune_dict(commune), departement=commune.departement_code if commune else None,
        region=region, region_name=REGION_NAMES.get(region or ""), qpv=qpv, tiers_lieux=nearby, address=label,
        missing=missing, notes=notes,
    )
