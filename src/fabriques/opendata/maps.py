"""Offline SVG map in Lambert-93: QPV perimeters, the census of tiers-lieux, dossiers and laureates as points.

No tiles: geometry is projected with pyproj (territory.geometry) and drawn by the template. Metropolitan
France is framed by default, or the bounding box of a région's communes; points outside the frame
(overseas) are listed in the table only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Max, Min

from fabriques.territory.geometry import geometries_to_l93, lonlat_to_l93
from fabriques.territory.models import Commune, Qpv, TiersLieu

WIDTH = 800
METROPOLE_L93 = (90_000.0, 6_030_000.0, 1_260_000.0, 7_130_000.0)
SIMPLIFY_PX = 0.6


@dataclass
class Frame:
    minx: float
    miny: float
    maxx: float
    maxy: float
    width: int = WIDTH

    @property
    def scale(self) -> float:
        return self.width / (self.maxx - self.minx)

    @property
    def height(self) -> int:
        return round((self.maxy - self.miny) * self.scale)

    def to_svg(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return (np.asarray(x) - self.minx) * self.scale, (self.maxy - np.asarray(y)) * self.scale

    def lonlat_box(self) -> tuple[float, float, float, float]:
        """A lon/lat box that covers the frame (for cheap SQL pre-filters)."""
        from fabriques.territory.geometry import l93_to_lonlat

        lon, lat = l93_to_lonlat([self.minx, self.maxx, self.minx, self.maxx], [self.miny, self.miny, self.maxy,
                                                                                 self.maxy])
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())


def frame_for(region: str = "") -> Frame:
    if region:
        box = Commune.objects.filter(region_code=region).aggregate(
            a=Min("longitude"), b=Min("latitude"), c=Max("longitude"), d=Max("latitude"))
        if box["a"] is not None:
            x, y = lonlat_to_l93([box["a"], box["c"]], [box["b"], box["d"]])
            margin = max(x.max() - x.min(), y.max() - y.min()) * 0.05 + 5_000
            return Frame(x.min() - margin, y.min() - margin, x.max() + margin, y.max() + margin)
    return Frame(*METROPOLE_L93)


def _ring_path(coords: np.ndarray) -> str:
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + "Z"


def qpv_paths(frame: Frame, vintage: int) -> list[str]:
    """SVG path data of the QPV perimeters inside the frame (simplified to sub-pixel detail)."""
    lon0, lat0, lon1, lat1 = frame.lonlat_box()
    blobs = list(Qpv.objects.filter(vintage=vintage, max_lon__gte=lon0, min_lon__lte=lon1, max_lat__gte=lat0,
                                     min_lat__lte=lat1).values_list("geometry", flat=True))
    if not blobs:
        return []
    geometries = geometries_to_l93(shapely.from_wkb([bytes(b) for b in blobs]))

    def to_svg(coords):
        x, y = frame.to_svg(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    geometries = shapely.simplify(shapely.transform(geometries, to_svg), SIMPLIFY_PX)
    paths = []
    for geometry in geometries:
        d = "".join(_ring_path(np.asarray(shapely.get_exterior_ring(p).coords))
                    for p in shapely.get_parts(geometry) if p.geom_type == "Polygon" and not p.is_empty)
        if d:
            paths.append(d)
    return paths


def census_points(frame: Frame) -> list[tuple[float, float]]:
    lon0, lat0, lon1, lat1 = frame.lonlat_box()
    rows = list(TiersLieu.objects.filter(longitude__range=(lon0, lon1), latitude__range=(lat0, lat1))
                .values_list("longitude", "latitude"))
    return _project(rows, frame)


def _project(rows, frame: Frame) -> list[tuple[float, float]]:
    if not rows:
        return []
    lon, lat = np.array(rows, dtype=float).T
    x, y = frame.to_svg(*lonlat_to_l93(lon, lat))
    return [(round(float(a), 1), round(float(b), 1)) for a, b in zip(x, y, strict=True)]


@dataclass
class MapPoint:
    label: str
    commune: str
    track: str
    wave: str
    state: str
    x: float | None
    y: float | None


def map_points(records: list[dict], frame: Frame) -> list[MapPoint]:
    """Points of records with latitude/longitude; x/y None when outside the frame (overseas, other région)."""
    located = [r for r in records if r["latitude"] is not None]
    xy = dict(zip([id(r) for r in located], _project([(r["longitude"], r["latitude"]) for r in located], frame),
                  strict=True))
    points = []
    for r in records:
        x, y = xy.get(id(r), (None, None))
        if x is not None and not (0 <= x <= frame.width and 0 <= y <= frame.height):
            x = y = None
        points.append(MapPoint(label=r["label"], commune=r["commune"], track=r["track"], wave=r["wave"],
                               state=r["state"], x=x, y=y))
    return points
