"""In-memory spatial indexes in Lambert-93 (metres): QPV perimeters per vintage, tiers-lieux, commune points.

Each index is built once per process and rebuilt when a newer import of its dataset exists; the check is one
small query on DatasetImport.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely import STRtree

from fabriques.territory.enums import Dataset
from fabriques.territory.geometry import geometries_to_l93, lonlat_to_l93
from fabriques.territory.models import Commune, DatasetImport, Qpv, TiersLieu

_LOCK = threading.Lock()
_CACHE: dict[str, tuple[tuple, object]] = {}


def _dataset_key(dataset: str) -> tuple:
    latest = (
        DatasetImport.objects.filter(dataset=dataset).order_by("-imported_at", "-id")
        .values_list("id", "imported_at", "sha256").first()
    )
    return latest or ()


def _cached(dataset: str, build):
    key = _dataset_key(dataset)
    with _LOCK:
        hit = _CACHE.get(dataset)
        if hit and hit[0] == key:
            return hit[1]
    index = build() if key else None
    with _LOCK:
        _CACHE[dataset] = (key, index)
    return index


@dataclass(frozen=True)
class QpvIndex:
    vintage: int
    codes: np.ndarray
    names: np.ndarray
    statuses: np.ndarray
    communes: np.ndarray
    regions: frozenset[str]  # regions and départements the file covers (a regional file covers only its own)
    departements: frozenset[str]
    lonlat: np.ndarray  # geometries in EPSG:4326, for maps
    l93: np.ndarray  # geometries in Lambert-93
    tree: STRtree
    vertices: cKDTree  # perimeter vertices, densified every VERTEX_SPACING_M, for fast far-away distances
    vertex_owner: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)

    def covers(self, *, region: str | None, departement: str | None) -> bool | None:
        """Whether the file covers a place's area (None when the place's area is unknown)."""
        if not region and not departement:
            return None
        return (region or "") in self.regions or (departement or "") in self.departements


@dataclass(frozen=True)
class PointIndex:
    """Points (tiers-lieux or commune centres) in Lambert-93 with their attributes."""

    rows: list[tuple]
    x: np.ndarray
    y: np.ndarray
    tree: STRtree

    def __len__(self) -> int:
        return len(self.rows)


# Perimeters are densified so that no two consecutive vertices are more than this apart: the distance to the
# nearest vertex then exceeds the distance to the perimeter by at most (s/2)^2 / (2 d), under 0.3 m beyond 3 km.
VERTEX_SPACING_M = 100


def _vertices(l93: np.ndarray) -> tuple[cKDTree, np.ndarray]:
    outlines = np.where(shapely.get_type_id(l93) == 0, l93, shapely.boundary(l93))  # a collapsed QPV is a point
    coords, owner = shapely.get_coordinates(shapely.segmentize(outlines, VERTEX_SPACING_M), return_index=True)
    return cKDTree(coords if len(coords) else np.zeros((0, 2))), owner


def _build_qpv(vintage: int) -> QpvIndex:
    rows = list(
        Qpv.objects.filter(vintage=vintage).order_by("code")
        .values_list("code", "name", "geometry_status", "commune_codes", "geometry", "region_code",
                     "departement_code")
    )
    lonlat = shapely.from_wkb([bytes(r[4]) for r in rows]) if rows else np.array([], dtype=object)
    l93 = geometries_to_l93(lonlat) if rows else lonlat
    vertices, vertex_owner = _vertices(l93)
    return QpvIndex(
        vintage=vintage, vertices=vertices, vertex_owner=vertex_owner,
        codes=np.array([r[0] for r in rows]), names=np.array([r[1] for r in rows]),
        statuses=np.array([r[2] for r in rows]), communes=np.array([r[3] for r in rows]),
        regions=frozenset(r[5] for r in rows if r[5]), departements=frozenset(r[6] for r in rows if r[6]),
        lonlat=lonlat, l93=l93, tree=STRtree(l93),
    )


def _build_points(rows: list[tuple], lon_at: int, lat_at: int) -> PointIndex:
    lon = np.array([r[lon_at] for r in rows], dtype=float)
    lat = np.array([r[lat_at] for r in rows], dtype=float)
    x, y = lonlat_to_l93(lon, lat)
    return PointIndex(rows=rows, x=x, y=y, tree=STRtree(shapely.points(x, y)))


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
    """
    parents = Commune.objects.exclude(parent_code="").values("parent_code")
    return _cached(Dataset.COMMUNES, lambda: _build_points(list(
        Commune.objects.exclude(code__in=parents).order_by("code")
        .values_list("code", "name", "departement_code", "region_code", "longitude", "latitude", "parent_code")
    ), 4, 5))
