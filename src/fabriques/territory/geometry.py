"""Geometry helpers: repair of QPV perimeters, the territories of France and their projections, geodesic metres.

Each territory is measured in its official projected system (Lambert-93 for the mainland and Corsica, the UTM
zone of each overseas territory): nearest shapes are found there, and the distance finally reported is the
geodesic one (on the GRS80 ellipsoid) between the place and the nearest point found, so that no projection's
scale error reaches the figures.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon, Point, Polygon

from fabriques.territory.enums import GeometryStatus

# always_xy: input and output in (lon, lat) / (x, y) order whatever the CRS axis order says.
_TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
_FROM_L93 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
_TO_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
_FROM_MERCATOR = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)


def lonlat_to_l93(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Project lon/lat degrees (scalars or arrays) to Lambert-93 metres."""
    x, y = _TO_L93.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def l93_to_lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _FROM_L93.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def lonlat_to_mercator(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Project lon/lat degrees to Web Mercator metres (EPSG:3857, the projection of XYZ basemap tiles)."""
    x, y = _TO_MERCATOR.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def mercator_to_lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _FROM_MERCATOR.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def geometries_to_l93(geometries: np.ndarray) -> np.ndarray:
    """Project an array of lon/lat geometries to Lambert-93 (all coordinates in one call)."""

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = _TO_L93.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometries, project)


def _polygonal_parts(geometry) -> list[Polygon]:
    parts = []
    for part in shapely.get_parts(geometry):
        if isinstance(part, Polygon):
            if not part.is_empty and part.area > 0:
                parts.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            parts.extend(_polygonal_parts(part))
    return parts


def perimeter_repair(geometry) -> tuple[object, str, str]:
    """A QPV perimeter as a valid MultiPolygon, or a Point when it has no area; with its status and a note.

    Invalid perimeters are repaired with make_valid, keeping only polygonal parts; a perimeter with no
    area left (collapsed to a point or a line) is kept as a point so the QPV still exists and can be reported.
    """
    if geometry.is_empty or geometry.area == 0:
        coords = shapely.get_coordinates(geometry)
        point = Point(coords[0]) if len(coords) else Point()
        return point, GeometryStatus.COLLAPSED, "périmètre sans surface, gardé comme un point"
    if geometry.is_valid:
        polygons = _polygonal_parts(geometry)
        return MultiPolygon(polygons), GeometryStatus.OK, ""
    reason = shapely.is_valid_reason(geometry)
    polygons = _polygonal_parts(shapely.make_valid(geometry))
    if not polygons:
        point = shapely.representative_point(geometry)
        return point, GeometryStatus.COLLAPSED, f"périmètre invalide ({reason}) sans surface, gardé comme un point"
    repaired = MultiPolygon(polygons)
    change = abs(repaired.area - geometry.area) / geometry.area if geometry.area else 0
    return repaired, GeometryStatus.REPAIRED, f"{reason} ; surface modifiée de {change:.1%}"


# --- Territories: where France is, and the projection that measures each part of it ---------------------------


@dataclass(frozen=True)
class Territory:
    """A part of France with the official projected system used to measure in it (metres).

    `boxes` are lon/lat rectangles (west, south, east, north) around its land; a point outside every box of every
    territory is not in France. `boundaries`: whether the shipped commune polygons cover it (else the commune of a
    point is the nearest commune point, marked as such).
    """

    key: str
    name: str
    epsg: int
    crs: str
    boxes: tuple[tuple[float, float, float, float], ...]
    boundaries: bool = True


TERRITORIES: tuple[Territory, ...] = (
    Territory("metropole", "France métropolitaine et Corse", 2154, "RGF93 v1 / Lambert-93",
              ((-5.25, 41.3, 9.6, 51.15),)),
    Territory("antilles", "Guadeloupe et Martinique", 5490, "RGAF09 / UTM 20N",
              ((-61.85, 15.8, -60.95, 16.55), (-61.25, 14.35, -60.75, 14.9))),
    Territory("saint-martin", "Saint-Martin et Saint-Barthélemy", 5490, "RGAF09 / UTM 20N",
              ((-63.2, 17.85, -62.75, 18.15),), boundaries=False),
    Territory("guyane", "Guyane", 2972, "RGFG95 / UTM 22N", ((-54.65, 2.1, -51.55, 5.85),)),
    Territory("reunion", "La Réunion", 2975, "RGR92 / UTM 40S", ((55.2, -21.4, 55.85, -20.85),)),
    Territory("mayotte", "Mayotte", 4471, "RGM04 / UTM 38S", ((44.95, -13.05, 45.35, -12.6),)),
    Territory("saint-pierre", "Saint-Pierre-et-Miquelon", 4467, "RGSPM06 / UTM 21N", ((-56.45, 46.7, -56.1, 47.15),),
              boundaries=False),
    Territory("polynesie", "Polynésie française", 3297, "RGPF / UTM 6S", ((-155.0, -28.0, -134.0, -7.5),),
              boundaries=False),
    Territory("nouvelle-caledonie", "Nouvelle-Calédonie", 3163, "RGNC91-93 / Lambert Nouvelle-Calédonie",
              ((163.5, -22.8, 168.2, -19.5),), boundaries=False),
    Territory("wallis-futuna", "Wallis-et-Futuna", 8903, "RGWF96 / UTM 1S", ((-178.3, -14.45, -176.1, -13.15),),
              boundaries=False),
)
TERRITORY_KEYS = tuple(t.key for t in TERRITORIES)
_TERRITORY_BY_KEY = {t.key: t for t in TERRITORIES}
OUTSIDE = -1

# The projected systems are all on the GRS80 ellipsoid (WGS84 differs by less than a millimetre).
GEOD = Geod(ellps="GRS80")


@functools.cache
def _transformers(key: str) -> tuple[Transformer, Transformer]:
    epsg = _TERRITORY_BY_KEY[key].epsg
    return (Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True),
            Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True))


def territories_of(lon, lat) -> np.ndarray:
    """Position in TERRITORIES of each lon/lat point, OUTSIDE (-1) for a point in no territory's boxes."""
    lon, lat = np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
    found = np.full(lon.shape, OUTSIDE, dtype=np.int64)
    for at, territory in enumerate(TERRITORIES):
        for west, south, east, north in territory.boxes:
            inside = (found == OUTSIDE) & (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
            found[inside] = at
    return found


def territory_of(lon: float, lat: float) -> Territory | None:
    at = int(territories_of(lon, lat)[0])
    return TERRITORIES[at] if at != OUTSIDE else None


def lonlat_project(key: str, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Project lon/lat degrees to the metres of a territory's official system."""
    x, y = _transformers(key)[0].transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def projected_to_lonlat(key: str, x, y) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _transformers(key)[1].transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def geometries_project(key: str, geometries: np.ndarray) -> np.ndarray:
    """Project an array of lon/lat geometries to a territory's system (all coordinates in one call)."""
    forward = _transformers(key)[0]

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = forward.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometries, project)


def geodesic_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Distances in metres on the ellipsoid between pairs of lon/lat points (arrays of the same length)."""
    lon1, lat1, lon2, lat2 = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    if not lon1.size:
        return np.zeros(0)
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2], dtype=float)


def outside_france_message(latitude: float, longitude: float) -> str | None:
    """A French message when a point lies outside France and its overseas territories (boxes only), else None."""
    if territory_of(longitude, latitude) is not None:
        return None
    return (
        f"Le point indiqué (latitude {latitude:.5f}, longitude {longitude:.5f}) est hors de France : ni en métropole, "
        "ni en Corse, ni dans un territoire d’outre-mer. Vérifiez les coordonnées (degrés décimaux WGS84, la latitude "
        "d’abord) ou indiquez l’adresse ou la commune."
    )
