"""In-memory spatial indexes: QPV perimeters per vintage, tiers-lieux, commune points, commune boundaries.

Shapes and points are split by territory (`geometry.TERRITORIES`) and each part is projected to its territory's
official system, where nearest shapes are searched; `locate.py` then reports geodesic distances. The Lambert-93
copies (`l93`, `x`, `y`, `tree`) serve the maps. Each index is built once per process and rebuilt when a newer
import of its dataset exists; the check is one small query on DatasetImport.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely import STRtree

from fabriques.territory.enums import Dataset
from fabriques.territory.geometry import (
    OUTSIDE,
    TERRITORIES,
    geometries_project,
    geometries_to_l93,
    lonlat_project,
    lonlat_to_l93,
    territories_of,
)
from fabriques.territory.models import Commune, CommuneBoundary, DatasetImport, Qpv, TiersLieu

_LOCK = threading.Lock()
_CACHE: dict[str, tuple[tuple, object]] = {}


def _dataset_key(dataset: str) -> tuple:
    latest = (
        DatasetImport.objects.filter(dataset=dataset).order_by("-imported_at", "-id")
        .values_list("id", "imported_at", "sha256").first()
    )
    return latest or ()


def _cached(dataset: str, build, *, also: tuple = ()):
    """The index of a dataset, rebuilt when a newer import of it (or of the `also` datasets) exists."""
    key = _dataset_key(dataset)
    if key and also:
        key = (key, *(_dataset_key(other) for other in also))
    with _LOCK:
        hit = _CACHE.get(dataset)
        if hit and hit[0] == key:
            return hit[1]
    index = build() if key else None
    with _LOCK:
        _CACHE[dataset] = (key, index)
    return index


# Perimeters are densified so that no two consecutive vertices are more than this apart: the distance to the
# nearest vertex then exceeds the distance to the perimeter by at most (s/2)^2 / (2 d), under 0.3 m beyond 3 km.
VERTEX_SPACING_M = 100


@dataclass(frozen=True)
class Zone:
    """The shapes (or points) of one territory, projected to its official system (metres)."""

    key: str
    members: np.ndarray  # positions in the whole dataset's arrays
    projected: np.ndarray
    tree: STRtree
    vertices: cKDTree | None = None  # perimeter vertices, densified every VERTEX_SPACING_M
    vertex_xy: np.ndarray | None = None
    vertex_owner: np.ndarray | None = None  # positions in the whole dataset's arrays


def _vertices(projected: np.ndarray, members: np.ndarray) -> tuple[cKDTree, np.ndarray, np.ndarray]:
    outlines = np.where(shapely.get_type_id(projected) == 0, projected, shapely.boundary(projected))
    coords, owner = shapely.get_coordinates(shapely.segmentize(outlines, VERTEX_SPACING_M), return_index=True)
    coords = coords if len(coords) else np.zeros((0, 2))
    return cKDTree(coords), coords, members[owner]


def _zones(lonlat: np.ndarray, *, with_vertices: bool) -> dict[str, Zone]:
    """Split lon/lat geometries by the territory of a point of each, and project each part."""
    if not len(lonlat):
        return {}
    anchors = shapely.point_on_surface(lonlat)
    where = territories_of(shapely.get_x(anchors), shapely.get_y(anchors))
    zones = {}
    for at in np.unique(where[where != OUTSIDE]):
        key = TERRITORIES[at].key
        members = np.nonzero(where == at)[0]
        projected = geometries_project(key, lonlat[members])
        extra = {}
        if with_vertices:
            tree, xy, owner = _vertices(projected, members)
            extra = {"vertices": tree, "vertex_xy": xy, "vertex_owner": owner}
        zones[key] = Zone(key=key, members=members, projected=projected, tree=STRtree(projected), **extra)
    return zones


@dataclass(frozen=True)
class QpvIndex:
    vintage: int
    codes: np.ndarray
    names: np.ndarray
    statuses: np.ndarray
    communes: np.ndarray
    regions: frozenset[str]  # regions and départements the file covers (a regional file covers only its own)
    departements: frozenset[str]
    lonlat: np.ndarray  # geometries in EPSG:4326
    l93: np.ndarray  # geometries in Lambert-93, for maps
    tree: STRtree  # on l93, for maps
    zones: dict[str, Zone]  # per territory, in its own projection: what distances are measured on

    def __len__(self) -> int:
        return len(self.codes)

    def covers(self, *, region: str | None, departement: str | None) -> bool | None:
        """Whether the file covers a place's area (None when the place's area is unknown)."""
        if not region and not departement:
            return None
        return (region or "") in self.regions or (departement or "") in self.departements


@dataclass(frozen=True)
class PointIndex:
    """Points (tiers-lieux or commune centres) with their attributes; Lambert-93 copies for maps."""

    rows: list[tuple]
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    tree: STRtree
    zones: dict[str, Zone]

    def __len__(self) -> int:
        return len(self.rows)


def _build_qpv(vintage: int) -> QpvIndex:
    rows = list(
        Qpv.objects.filter(vintage=vintage).order_by("code")
        .values_list("code", "name", "geometry_status", "commune_codes", "geometry", "region_code",
                     "departement_code")
    )
    lonlat = shapely.from_wkb([bytes(r[4]) for r in rows]) if rows else np.array([], dtype=object)
    l93 = geometries_to_l93(lonlat) if rows else lonlat
    return QpvIndex(
        vintage=vintage, zones=_zones(lonlat, with_vertices=True),
        codes=np.array([r[0] for r in rows]), names=np.array([r[1] for r in rows]),
        statuses=np.array([r[2] for r in rows]), communes=np.array([r[3] for r in rows]),
        regions=frozenset(r[5] for r in rows if r[5]), departements=frozenset(r[6] for r in rows if r[6]),
        lonlat=lonlat, l93=l93, tree=STRtree(l93),
    )


def _build_points(rows: list[tuple], lon_at: int, lat_at: int) -> PointIndex:
    lon = np.array([r[lon_at] for r in rows], dtype=float)
    lat = np.array([r[lat_at] for r in rows], dtype=float)
    x, y = lonlat_to_l93(lon, lat)
    return PointIndex(rows=rows, lon=lon, lat=lat, x=x, y=y, tree=STRtree(shapely.points(x, y)),
                      zones=_zones(shapely.points(lon, lat), with_vertices=False))


def qpv_index(vintage: int) -> QpvIndex | None:
    """The QPV perimeters of a vintage, or None when that vintage was never imported."""
    return _cached(Dataset.for_vintage(vintage), lambda: _build_qpv(vintage))


def tiers_lieux_index() -> PointIndex | None:
    """The census as points: rows are (name, commune_name, commune_code, typology, longitude, latitude)."""
    return _cached(Dataset.TIERS_LIEUX, lambda: _build_points(list(
        TiersLieu.objects.order_by("source_id")
        .values_list("name", "commune_name", "commune_code", "typology", "longitude", "latitude")
    ), 4, 5))


def communes_index() -> PointIndex | None:
    """Commune centres: rows are (code, name, departement, region, longitude, latitude, parent_code).

    Paris, Lyon and Marseille are indexed by their arrondissements (finer points), not by their single centre.
    A newer import of the boundaries (which may move points, see `domain.commune_points_repair`) rebuilds it.
    """
    parents = Commune.objects.exclude(parent_code="").values("parent_code")
    return _cached(Dataset.COMMUNES, lambda: _build_points(list(
        Commune.objects.exclude(code__in=parents).order_by("code")
        .values_list("code", "name", "departement_code", "region_code", "longitude", "latitude", "parent_code")
    ), 4, 5), also=(Dataset.COMMUNE_BOUNDARIES,))


@dataclass(frozen=True)
class BoundaryIndex:
    """Commune boundaries (COG 2024) in lon/lat: containment is tested on the file's own coordinates."""

    codes: np.ndarray
    names: np.ndarray
    departements: np.ndarray
    lonlat: np.ndarray
    tree: STRtree
    successors: dict[str, str]  # code of a commune merged since -> code of the commune it joined
    former: dict[str, list[str]]  # code -> codes merged into it

    def __len__(self) -> int:
        return len(self.codes)


def _build_boundaries() -> BoundaryIndex:
    rows = list(CommuneBoundary.objects.order_by("code").values_list("code", "name", "departement_code",
                                                                    "former_codes", "geometry"))
    lonlat = shapely.from_wkb([bytes(r[4]) for r in rows]) if rows else np.array([], dtype=object)
    former = {r[0]: [c for c in r[3].split(",") if c] for r in rows}
    return BoundaryIndex(
        codes=np.array([r[0] for r in rows]), names=np.array([r[1] for r in rows]),
        departements=np.array([r[2] for r in rows]), lonlat=lonlat, tree=STRtree(lonlat),
        successors={old: code for code, olds in former.items() for old in olds}, former=former,
    )


def boundaries_index() -> BoundaryIndex | None:
    """The commune boundaries, or None when they were never imported."""
    return _cached(Dataset.COMMUNE_BOUNDARIES, _build_boundaries)


def zone_points(key: str, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Lon/lat points as shapely points in a territory's projection."""
    x, y = lonlat_project(key, lon, lat)
    return shapely.points(np.atleast_1d(x), np.atleast_1d(y))
