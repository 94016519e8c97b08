"""Geometry helpers: repair of QPV perimeters and projection to Lambert-93 (EPSG:2154) for distances in metres."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer
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
