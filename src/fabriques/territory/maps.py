"""A small map of a place: the QPV perimeters and tiers-lieux around it, drawn as SVG in the official projection
of the place's territory (Lambert-93 on the mainland and in Corsica, the territory's UTM zone overseas: see
`geometry.TERRITORIES`), so that metres on the map are metres on the ground everywhere.

Coordinates are metres from the place (x east, y north), so the SVG viewBox does the scaling. Offline by default;
with a tile URL the template tag adds Web Mercator tiles under the layers (territory.tiles.place_tiles).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from fabriques.territory.geometry import TERRITORIES, lonlat_project, territory_of
from fabriques.territory.index import qpv_index, tiers_lieux_index

MAP_RADIUS_M = 3000


@dataclass(frozen=True)
class MapShape:
    code: str
    name: str
    path: str
    distance_m: int
    contains_place: bool


@dataclass(frozen=True)
class MapPoint:
    name: str
    commune: str
    x: int
    y: int
    distance_m: int


@dataclass(frozen=True)
class PlaceMap:
    radius_m: int
    approximate: bool
    vintage: int
    label: str
    qpv: list[MapShape] = field(default_factory=list)
    tiers_lieux: list[MapPoint] = field(default_factory=list)
    qpv_loaded: bool = True
    qpv_covered: bool = True
    tiers_lieux_loaded: bool = True

    @property
    def view_box(self) -> str:
        r = self.radius_m
        return f"{-r} {-r} {2 * r} {2 * r}"

    @property
    def side_m(self) -> int:
        return 2 * self.radius_m

    @property
    def scale_bar_m(self) -> int:
        return 1000 if self.radius_m >= 2000 else 500

    @property
    def scale_label(self) -> str:
        return "1 km" if self.scale_bar_m == 1000 else f"{self.scale_bar_m} m"

    @property
    def scale_origin(self) -> tuple[int, int]:
        """Bottom-left corner of the scale bar, inside the frame."""
        return -self.radius_m + self.radius_m // 15, self.radius_m - self.radius_m // 10


def _ring_path(coords: np.ndarray, cx: float, cy: float) -> str:
    points = " L".join(f"{round(x - cx)} {round(cy - y)}" for x, y in coords[:-1])
    return f"M{points} Z"


def _shape_path(geometry, cx: float, cy: float) -> str:
    if geometry.geom_type == "Point":  # a collapsed QPV: a small diamond
        x, y = round(geometry.x - cx), round(cy - geometry.y)
        return f"M{x} {y - 40} L{x + 40} {y} L{x} {y + 40} L{x - 40} {y} Z"
    rings = []
    for polygon in shapely.get_parts(geometry):
        rings.append(_ring_path(np.asarray(polygon.exterior.coords), cx, cy))
        rings.extend(_ring_path(np.asarray(hole.coords), cx, cy) for hole in polygon.interiors)
    return " ".join(rings)


def place_map(location: dict, *, radius_m: int = MAP_RADIUS_M) -> PlaceMap | None:
    """The map around a located place (a `Location.as_dict()`), or None when the place has no coordinates."""
    if not location or location.get("latitude") is None or location.get("longitude") is None:
        return None
    lon, lat = float(location["longitude"]), float(location["latitude"])
    key = (territory_of(lon, lat) or TERRITORIES[0]).key
    cx, cy = (float(v) for v in lonlat_project(key, lon, lat))
    around = shapely.box(cx - radius_m, cy - radius_m, cx + radius_m, cy + radius_m)
    centre = shapely.points(cx, cy)
    vintage = (location.get("qpv") or {}).get("vintage") or 2024
    commune = (location.get("commune") or {}).get("name") or "lieu"
    index = qpv_index(vintage)
    shapes = []
    zone = index.zones.get(key) if index is not None else None
    if zone is not None:
        for local in sorted(zone.tree.query(around, predicate="intersects")):
            at, geometry = zone.members[local], zone.projected[local]
            distance = float(shapely.distance(centre, geometry))
            shapes.append(MapShape(
                code=str(index.codes[at]), name=str(index.names[at]), path=_shape_path(geometry, cx, cy),
                distance_m=round(distance), contains_place=distance == 0,
            ))
    points = []
    census = tiers_lieux_index()
    places = census.zones.get(key) if census is not None else None
    if places is not None:
        for local in places.tree.query(around):
            at, point = places.members[local], places.projected[local]
            dx, dy = point.x - cx, point.y - cy
            points.append(MapPoint(
                name=census.rows[at][0], commune=census.rows[at][1], x=round(dx), y=round(-dy),
                distance_m=round(float(np.hypot(dx, dy))),
            ))
    return PlaceMap(
        radius_m=radius_m, approximate=bool(location.get("approximate")), vintage=vintage, label=commune,
        qpv=sorted(shapes, key=lambda s: s.distance_m), tiers_lieux=sorted(points, key=lambda p: p.distance_m),
        qpv_loaded=index is not None, tiers_lieux_loaded=census is not None,
        qpv_covered=(location.get("qpv") or {}).get("covered") is not False,
    )
