"""SVG map: QPV perimeters, the census of tiers-lieux, dossiers and laureates as points, over an optional basemap.

Offline by default, in Lambert-93 (pyproj, territory.geometry), with no tiles. When a tile URL is set
(`FABRIQUES_TILE_URL`, an XYZ template such as `https://tiles.example/{z}/{x}/{y}.png`), the frame is in
Web Mercator (EPSG:3857), the projection of XYZ tiles, and the tiles covering it (`territory.tiles`, shared with
the place map) are drawn as SVG `<image>` elements under the same vector layers. Metropolitan France is framed by
default, or the bounding box of a région's communes; points outside the frame (overseas) are listed in the table
only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Max, Min

from fabriques.territory.geometry import l93_to_lonlat, lonlat_to_l93, lonlat_to_mercator, mercator_to_lonlat
from fabriques.territory.models import Commune, Qpv, TiersLieu

WIDTH = 800
METROPOLE_L93 = (90_000.0, 6_030_000.0, 1_260_000.0, 7_130_000.0)
METROPOLE_LONLAT = (-5.3, 41.2, 9.7, 51.2)
SIMPLIFY_PX = 0.6
L93, MERCATOR = "l93", "mercator"


def _project(lon, lat, crs: str) -> tuple[np.ndarray, np.ndarray]:
    if crs == L93:
        return lonlat_to_l93(lon, lat)
    return lonlat_to_mercator(lon, lat)


def _unproject(x, y, crs: str) -> tuple[np.ndarray, np.ndarray]:
    if crs == L93:
        return l93_to_lonlat(x, y)
    return mercator_to_lonlat(x, y)


@dataclass
class Frame:
    minx: float
    miny: float
    maxx: float
    maxy: float
    width: int = WIDTH
    crs: str = L93

    @property
    def scale(self) -> float:
        return self.width / (self.maxx - self.minx)

    @property
    def height(self) -> int:
        return round((self.maxy - self.miny) * self.scale)

    def to_svg(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return (np.asarray(x) - self.minx) * self.scale, (self.maxy - np.asarray(y)) * self.scale

    def lonlat_to_svg(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        return self.to_svg(*_project(lon, lat, self.crs))

    def lonlat_box(self) -> tuple[float, float, float, float]:
        """A lon/lat box that covers the frame (for cheap SQL pre-filters)."""
        lon, lat = _unproject([self.minx, self.maxx, self.minx, self.maxx], [self.miny, self.miny, self.maxy,
                                                                               self.maxy], self.crs)
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())


def frame_for(region: str = "", crs: str = L93) -> Frame:
    """The frame of a région (its communes' box and a margin), else of metropolitan France, in `crs`."""
    if region:
        box = Commune.objects.filter(region_code=region).aggregate(
            a=Min("longitude"), b=Min("latitude"), c=Max("longitude"), d=Max("latitude"))
        if box["a"] is not None:
            x, y = _project([box["a"], box["c"]], [box["b"], box["d"]], crs)
            margin = max(x.max() - x.min(), y.max() - y.min()) * 0.05 + 5_000
            return Frame(x.min() - margin, y.min() - margin, x.max() + margin, y.max() + margin, crs=crs)
    if crs == L93:
        return Frame(*METROPOLE_L93)
    lon0, lat0, lon1, lat1 = METROPOLE_LONLAT
    x, y = _project([lon0, lon1], [lat0, lat1], crs)
    return Frame(float(x[0]), float(y[0]), float(x[1]), float(y[1]), crs=crs)


def _ring_path(coords: np.ndarray) -> str:
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + "Z"


def qpv_paths(frame: Frame, vintage: int) -> list[str]:
    """SVG path data of the QPV perimeters inside the frame (simplified to sub-pixel detail)."""
    lon0, lat0, lon1, lat1 = frame.lonlat_box()
    blobs = list(Qpv.objects.filter(vintage=vintage, max_lon__gte=lon0, min_lon__lte=lon1, max_lat__gte=lat0,
                                     min_lat__lte=lat1).values_list("geometry", flat=True))
    if not blobs:
        return []
    def to_svg(coords):
        x, y = frame.lonlat_to_svg(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    geometries = shapely.from_wkb([bytes(b) for b in blobs])
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
    return _svg_points(rows, frame)


def _svg_points(rows, frame: Frame) -> list[tuple[float, float]]:
    if not rows:
        return []
    lon, lat = np.array(rows, dtype=float).T
    x, y = frame.lonlat_to_svg(lon, lat)
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
    xy = dict(zip([id(r) for r in located], _svg_points([(r["longitude"], r["latitude"]) for r in located], frame),
                  strict=True))
    points = []
    for r in records:
        x, y = xy.get(id(r), (None, None))
        if x is not None and not (0 <= x <= frame.width and 0 <= y <= frame.height):
            x = y = None
        points.append(MapPoint(label=r["label"], commune=r["commune"], track=r["track"], wave=r["wave"],
                               state=r["state"], x=x, y=y))
    return points
