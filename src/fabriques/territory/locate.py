"""Locating a place: commune, département, région, QPV (inside? nearest, distance in metres), nearby tiers-lieux.

A place comes from coordinates, or from an address through BAN when FABRIQUES_BAN_URL is set, or failing both
from its commune's point (then `approximate` is true). A point outside France and its overseas territories is
refused (`refused` holds the French reason). Nearest shapes are searched in each territory's official projection
and distances are geodesic metres (see `geometry.py`). The commune of a point is the one whose boundary contains
it when the boundaries are loaded, else the nearest commune point (`commune_method` says which). Missing datasets
are listed in `missing`, never guessed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import shapely
from scipy.spatial import cKDTree

from fabriques.territory.enums import REGION_NAMES, Dataset, GeometryStatus
from fabriques.territory.geocode import GeocodingError, address_geocode, geocoding_enabled
from fabriques.territory.geometry import (
    OUTSIDE,
    TERRITORIES,
    geodesic_m,
    outside_france_message,
    projected_to_lonlat,
    territories_of,
)
from fabriques.territory.index import (
    PointIndex,
    QpvIndex,
    boundaries_index,
    communes_index,
    qpv_index,
    tiers_lieux_index,
    zone_points,
)
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
    # For a file covering only some regions: how far (metres, a lower estimate) the nearest place it does not
    # cover is; a QPV there, absent from the file, could be nearer than `distance_m`.
    uncovered_within_m: float | None = None


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
    refused: str | None = None  # why the place is refused (outside France), in French
    commune_method: str | None = None  # "declared" | "boundary" | "near-boundary" | "nearest-point" | None
    territory: str | None = None  # key of geometry.TERRITORIES

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def as_dict(self) -> dict:
        data = asdict(self)
        for name in ("distance_m", "uncovered_within_m"):
            if data["qpv"][name] is not None:
                data["qpv"][name] = round(data["qpv"][name])
        return data


@dataclass(frozen=True)
class BulkQpv:
    """Vectorised result for many points: inside flags, index of the nearest QPV (-1: none) and distances.

    A point outside every territory, or in a territory without any QPV in the file, has nearest -1 and an
    infinite distance.
    """

    inside: np.ndarray
    nearest: np.ndarray
    distance_m: np.ndarray


# Below this distance to the nearest perimeter vertex, distances are computed exactly against the polygons.
EXACT_BELOW_M = 3000


def qpv_nearest_bulk(index: QpvIndex, lon, lat) -> BulkQpv:
    """Nearest QPV perimeter of each lon/lat point and the geodesic distance to it, 0 inside.

    In each territory's projection: the exact nearest point of the polygons (GEOS) for points inside or within
    EXACT_BELOW_M of a perimeter; beyond, the nearest vertex of the densified perimeters (over by less than
    0.3 m). The distance reported is the geodesic one from the place to that nearest point. All vectorised.
    """
    lon, lat = np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
    count = len(lon)
    nearest = np.full(count, -1, dtype=np.int64)
    distance = np.full(count, np.inf)
    inside = np.zeros(count, dtype=bool)
    where = territories_of(lon, lat) if count else np.zeros(0, dtype=np.int64)
    for at in np.unique(where[where != OUTSIDE]):
        zone = index.zones.get(TERRITORIES[at].key)
        if zone is None or not len(zone.vertex_xy):
            continue
        chosen = np.nonzero(where == at)[0]
        points = zone_points(zone.key, lon[chosen], lat[chosen])
        xy = shapely.get_coordinates(points)
        vertex_distance, vertex = zone.vertices.query(xy, k=1)
        owner = zone.vertex_owner[vertex]
        near = zone.vertex_xy[vertex].copy()
        hit = np.zeros(len(chosen), dtype=bool)
        inside_points = zone.tree.query(points, predicate="intersects")[0]
        exact = np.union1d(np.nonzero(vertex_distance < EXACT_BELOW_M)[0], inside_points)
        if exact.size:
            (which, local), metres = zone.tree.query_nearest(points[exact], return_distance=True, all_matches=False)
            rows = exact[which]
            owner[rows] = zone.members[local]
            lines = shapely.shortest_line(points[rows], zone.projected[local])
            near[rows] = shapely.get_coordinates(lines).reshape(-1, 2, 2)[:, 1, :]
            hit[rows] = metres == 0
        near_lon, near_lat = projected_to_lonlat(zone.key, near[:, 0], near[:, 1])
        metres = geodesic_m(lon[chosen], lat[chosen], near_lon, near_lat)
        metres[hit] = 0.0
        nearest[chosen], distance[chosen], inside[chosen] = owner, metres, hit
    return BulkQpv(inside=inside, nearest=nearest, distance_m=distance)


def locate_points(longitudes, latitudes, *, vintage: int) -> BulkQpv | None:
    """QPV situation of many lon/lat points at once (None when the vintage is not loaded)."""
    index = qpv_index(vintage)
    if index is None:
        return None
    return qpv_nearest_bulk(index, longitudes, latitudes)


# A file covering only some regions: the nearest commune point outside them, minus this margin (about the
# radius of a large commune), bounds from below how far the area the file does not cover is.
UNCOVERED_MARGIN_M = 10000


_UNCOVERED: dict[tuple[int, int], tuple[QpvIndex, PointIndex, dict[str, cKDTree | None]]] = {}


def _uncovered_trees(index: QpvIndex, communes: PointIndex) -> dict[str, cKDTree | None]:
    """Per territory, a KD-tree of the commune points the QPV file does not cover (None: it covers them all).

    Built once per pair of indexes (both are immutable and rebuilt on a new import; the entry holds them, so
    their ids cannot be reused while it exists).
    """
    key = (id(index), id(communes))
    hit = _UNCOVERED.get(key)
    trees = hit[2] if hit and hit[0] is index and hit[1] is communes else None
    if trees is None:
        trees = {}
        for name, zone in communes.zones.items():
            uncovered = np.array([
                not index.covers(region=communes.rows[m][3], departement=communes.rows[m][2]) for m in zone.members
            ], dtype=bool)
            trees[name] = cKDTree(shapely.get_coordinates(zone.projected[uncovered])) if uncovered.any() else None
        if len(_UNCOVERED) > 8:
            _UNCOVERED.clear()
        _UNCOVERED[key] = (index, communes, trees)
    return trees


def uncovered_within_bulk(index: QpvIndex, lon, lat) -> np.ndarray:
    """For each point, a lower estimate (metres) of the distance to the nearest place the file does not cover.

    NaN when the file covers every commune of the point's territory (the 2024 file), or communes are not loaded.
    """
    lon, lat = np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
    result = np.full(len(lon), np.nan)
    communes = communes_index()
    if communes is None or not len(lon):
        return result
    trees = _uncovered_trees(index, communes)
    where = territories_of(lon, lat)
    for at in np.unique(where[where != OUTSIDE]):
        tree = trees.get(TERRITORIES[at].key)
        if tree is None:
            continue
        chosen = np.nonzero(where == at)[0]
        points = zone_points(TERRITORIES[at].key, lon[chosen], lat[chosen])
        metres, _ = tree.query(shapely.get_coordinates(points), k=1)
        result[chosen] = np.maximum(metres - UNCOVERED_MARGIN_M, 0.0)
    return result


def _qpv_situation(lon: float, lat: float, vintage: int, commune: Commune | None) -> QpvSituation:
    return qpv_situation_at(
        longitude=lon, latitude=lat, vintage=vintage, region=commune.region_code if commune else None,
        departement=commune.departement_code if commune else None,
    )


def qpv_situation_at(*, longitude: float, latitude: float, vintage: int, region: str | None,
                     departement: str | None) -> QpvSituation:
    """The QPV situation of a point already located (its région and département known) for one vintage."""
    lon, lat = longitude, latitude
    index = qpv_index(vintage)
    if index is None or not len(index):
        return QpvSituation(vintage=vintage, loaded=False)
    covered = index.covers(region=region, departement=departement)
    if covered is False:
        return QpvSituation(vintage=vintage, loaded=True, covered=False)
    bulk = qpv_nearest_bulk(index, [lon], [lat])
    at = int(bulk.nearest[0])
    if at < 0:
        return QpvSituation(vintage=vintage, loaded=True, covered=False)
    edge = float(uncovered_within_bulk(index, [lon], [lat])[0])
    return QpvSituation(
        vintage=vintage, loaded=True, covered=covered, inside=bool(bulk.inside[0]), code=str(index.codes[at]),
        name=str(index.names[at]), distance_m=float(bulk.distance_m[0]),
        geometry_status=str(index.statuses[at]), communes=str(index.communes[at]).split(","),
        uncovered_within_m=None if np.isnan(edge) else edge,
    )


@dataclass(frozen=True)
class BulkTiersLieux:
    """For each point: how many places of the census lie within the radius; pairs (point, place, metres)."""

    counts: np.ndarray
    point: np.ndarray
    place: np.ndarray
    metres: np.ndarray


def tiers_lieux_within_bulk(index: PointIndex, lon, lat, radius_m: float) -> BulkTiersLieux:
    """Places of the census within a geodesic radius of each point (searched in the territory's projection)."""
    lon, lat = np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
    pairs_point, pairs_place, pairs_metres = [], [], []
    where = territories_of(lon, lat) if len(lon) else np.zeros(0, dtype=np.int64)
    for at in np.unique(where[where != OUTSIDE]):
        zone = index.zones.get(TERRITORIES[at].key)
        if zone is None:
            continue
        chosen = np.nonzero(where == at)[0]
        points = zone_points(zone.key, lon[chosen], lat[chosen])
        # Projections stretch by well under 1 % within a territory: search a little wider, then measure.
        near, local = zone.tree.query(points, predicate="dwithin", distance=radius_m * 1.01 + 10)
        place = zone.members[local]
        metres = geodesic_m(lon[chosen[near]], lat[chosen[near]], index.lon[place], index.lat[place])
        keep = metres <= radius_m
        pairs_point.append(chosen[near][keep])
        pairs_place.append(place[keep])
        pairs_metres.append(metres[keep])
    point = np.concatenate(pairs_point) if pairs_point else np.zeros(0, dtype=np.int64)
    place = np.concatenate(pairs_place) if pairs_place else np.zeros(0, dtype=np.int64)
    metres = np.concatenate(pairs_metres) if pairs_metres else np.zeros(0)
    return BulkTiersLieux(counts=np.bincount(point, minlength=len(lon)), point=point, place=place, metres=metres)


def _tiers_lieux_nearby(lon: float, lat: float, radius_m: int) -> TiersLieuxNearby:
    index = tiers_lieux_index()
    if index is None:
        return TiersLieuxNearby(loaded=False, radius_m=radius_m)
    found = tiers_lieux_within_bulk(index, [lon], [lat], radius_m)
    order = np.lexsort((found.place, found.metres))[:NEAREST_TIERS_LIEUX]
    nearest = [
        {"name": index.rows[found.place[i]][0], "commune": index.rows[found.place[i]][1],
         "typology": index.rows[found.place[i]][3], "distance_m": round(float(found.metres[i]))}
        for i in order
    ]
    return TiersLieuxNearby(loaded=True, radius_m=radius_m, count=int(found.counts[0]), nearest=nearest)


# --- The commune of a point -------------------------------------------------------------------------------------

# A point outside every (simplified) commune boundary but this close to one gets that commune, marked as such;
# farther, in a territory whose boundaries are loaded, it is not in France (at sea, or across a border).
NEAR_BOUNDARY_M = 1000


@dataclass(frozen=True)
class BulkCommunes:
    """For each point: the commune code found ("" when none), how, and the metres to its boundary if outside."""

    codes: np.ndarray
    methods: np.ndarray  # "boundary" | "near-boundary" | "nearest-point" | "outside" | "" (nothing loaded)
    outside_m: np.ndarray


def communes_at_bulk(lon, lat) -> BulkCommunes:
    """The commune of each lon/lat point: by boundary when loaded (COG 2024 codes), else the nearest point."""
    lon, lat = np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
    count = len(lon)
    codes = np.full(count, "", dtype=object)
    methods = np.full(count, "", dtype=object)
    outside_m = np.zeros(count)
    where = territories_of(lon, lat) if count else np.zeros(0, dtype=np.int64)
    methods[where == OUTSIDE] = "outside"
    boundaries = boundaries_index()
    with_boundaries = np.array([TERRITORIES[w].boundaries if w != OUTSIDE else False for w in where], dtype=bool)
    if boundaries is not None and len(boundaries) and with_boundaries.any():
        chosen = np.nonzero(with_boundaries)[0]
        points = shapely.points(lon[chosen], lat[chosen])
        point_at, shape_at = boundaries.tree.query(points, predicate="intersects")
        first = np.unique(point_at, return_index=True)
        codes[chosen[first[0]]] = boundaries.codes[shape_at[first[1]]]
        methods[chosen[first[0]]] = "boundary"
        missed = np.setdiff1d(np.arange(len(chosen)), point_at)
        if missed.size:
            (which, shape), _ = boundaries.tree.query_nearest(points[missed], max_distance=0.05,
                                                              return_distance=True, all_matches=False)
            far = np.setdiff1d(np.arange(missed.size), which)
            methods[chosen[missed[far]]] = "outside"
            outside_m[chosen[missed[far]]] = np.inf
            if which.size:
                lines = shapely.shortest_line(points[missed[which]], boundaries.lonlat[shape])
                ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
                metres = geodesic_m(ends[:, 0, 0], ends[:, 0, 1], ends[:, 1, 0], ends[:, 1, 1])
                rows = chosen[missed[which]]
                close = metres <= NEAR_BOUNDARY_M
                codes[rows[close]] = boundaries.codes[shape[close]]
                methods[rows] = np.where(close, "near-boundary", "outside")
                outside_m[rows] = metres
    pending = np.nonzero((methods == "") & (where != OUTSIDE))[0]
    centres = communes_index()
    if pending.size and centres is not None and len(centres):
        for at in np.unique(where[pending]):
            zone = centres.zones.get(TERRITORIES[at].key)
            if zone is None:
                continue
            rows = pending[where[pending] == at]
            found = zone.tree.query_nearest(zone_points(zone.key, lon[rows], lat[rows]), all_matches=False)
            members = zone.members[found[1]]
            codes[rows[found[0]]] = [centres.rows[m][6] or centres.rows[m][0] for m in members]
            methods[rows[found[0]]] = "nearest-point"
    return BulkCommunes(codes=codes, methods=methods, outside_m=outside_m)


def communes_by_code(codes) -> dict[str, Commune]:
    """Commune rows (COG 2022 points) for codes found by boundary (COG 2024): a code unknown to the points file is
    looked up through the communes merged into it, else described from its boundary (not saved)."""
    wanted = {c for c in codes if c}
    found = {c.code: c for c in Commune.objects.filter(code__in=wanted)}
    lacking = wanted - set(found)
    boundaries = boundaries_index() if lacking else None
    if boundaries is None:
        return found
    position = {code: at for at, code in enumerate(boundaries.codes) if code in lacking}
    former = {old: code for code in lacking for old in boundaries.former.get(code, [])}
    for old in Commune.objects.filter(code__in=former):
        found.setdefault(former[old.code], old)
    regions = dict(Commune.objects.values_list("departement_code", "region_code").distinct())
    for code in lacking - set(found):
        if code in position:
            at = position[code]
            departement = str(boundaries.departements[at])
            inner = shapely.point_on_surface(boundaries.lonlat[at])
            found[code] = Commune(code=code, name=str(boundaries.names[at]), departement_code=departement,
                                  region_code=regions.get(departement, ""), latitude=inner.y, longitude=inner.x)
    return found


_COMMUNE_NOTES = {
    "nearest-point": "Commune déduite du point de commune le plus proche (contours des communes non chargés).",
}


def _commune_from_point(lon: float, lat: float, notes: list[str]) -> tuple[Commune | None, str | None, float]:
    bulk = communes_at_bulk([lon], [lat])
    code, method, outside = str(bulk.codes[0]), str(bulk.methods[0]), float(bulk.outside_m[0])
    commune = communes_by_code([code]).get(code) if code else None
    if method == "near-boundary" and commune is not None:
        notes.append(f"Le point est hors des contours simplifiés des communes, à {round(outside)} m de "
                     f"{commune.name} : commune la plus proche retenue.")
    elif method in _COMMUNE_NOTES and commune is not None:
        notes.append(_COMMUNE_NOTES[method])
    return commune, method or None, outside


def _refusal(latitude: float, longitude: float, method: str | None, outside_m: float) -> str | None:
    box = outside_france_message(latitude, longitude)
    if box or method != "outside":
        return box
    far = "à plus de 5 km" if not np.isfinite(outside_m) else f"à {outside_m / 1000:.1f} km".replace(".", ",")
    return (
        f"Le point indiqué (latitude {latitude:.5f}, longitude {longitude:.5f}) n’est dans aucune commune "
        f"française : il est {far} de la plus proche (en mer ou hors de France). Vérifiez les coordonnées ou "
        "indiquez l’adresse ou la commune."
    )


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


def _declared_commune_check(commune: Commune, latitude: float, longitude: float, notes: list[str]) -> None:
    """Notes when the declared commune merged since, or when the point lies in another commune."""
    boundaries = boundaries_index()
    if boundaries is None:
        return
    successor = boundaries.successors.get(commune.code)
    if successor:
        notes.append(f"La commune {commune.code} {commune.name} a rejoint depuis la commune {successor} "
                     "(code officiel géographique 2024).")
    if latitude is None:
        return
    bulk = communes_at_bulk([longitude], [latitude])
    found, method = str(bulk.codes[0]), str(bulk.methods[0])
    same = {commune.code, commune.parent_code, successor or ""} - {""}
    if method == "boundary" and found not in same:
        other = communes_by_code([found]).get(found)
        name = f"{other.name} ({found})" if other else found
        notes.append(f"Le point indiqué est dans la commune {name}, pas dans {commune.name} ({commune.code}) : "
                     "vérifiez l’adresse ou les coordonnées.")


def _located(*, latitude, longitude, source, label, commune, notes, qpv_vintage, radius_m) -> Location:
    missing = []
    if communes_index() is None:
        missing.append(Dataset.COMMUNES.value)
    refused = method = territory = None
    if latitude is not None:
        at = int(territories_of(longitude, latitude)[0])
        territory = TERRITORIES[at].key if at != OUTSIDE else None
        if commune is None:
            commune, method, outside = _commune_from_point(longitude, latitude, notes)
            refused = _refusal(latitude, longitude, method, outside)
        else:
            method = "declared"
            refused = outside_france_message(latitude, longitude)
            if refused is None:
                _declared_commune_check(commune, latitude, longitude, notes)
    if refused:
        notes.append(refused)
        commune = None
    if latitude is None or refused:
        qpv = QpvSituation(vintage=qpv_vintage, loaded=qpv_index(qpv_vintage) is not None)
        nearby = TiersLieuxNearby(loaded=tiers_lieux_index() is not None, radius_m=radius_m)
    else:
        qpv = _qpv_situation(longitude, latitude, qpv_vintage, commune)
        nearby = _tiers_lieux_nearby(longitude, latitude, radius_m)
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
        missing=missing, notes=notes, refused=refused, commune_method=method if commune else None,
        territory=territory,
    )
