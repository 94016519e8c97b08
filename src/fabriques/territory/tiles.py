"""XYZ basemap tiles (Web Mercator, EPSG:3857) for the SVG maps, and the CSP origins they need.

`FABRIQUES_TILE_URL` is a template such as `https://{s}.tiles.example/{z}/{x}/{y}.png`; `{s}` is replaced by one
letter of `FABRIQUES_TILE_SUBDOMAINS`, chosen from the tile's column and row so a tile always has the same URL.

Two users: the data map (opendata, its frame already in Web Mercator: `tiles`) and the small place map (territory,
drawn in Lambert-93 metres around the place: `place_tiles`, each tile placed with its own affine transform, the
local linearisation of Web Mercator → Lambert-93 at the tile's centre, within half a metre over a few km).

A page that draws tiles calls `allow_tiles(request)`; `TileCspMiddleware` (listed after django-csp's middleware)
then adds the tile origins to that response's img-src, and to no other page's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
from django.conf import settings

from fabriques.territory.geometry import (
    TERRITORIES,
    lonlat_project,
    lonlat_to_mercator,
    mercator_to_lonlat,
    projected_to_lonlat,
    territory_of,
)

MERCATOR_HALF_WORLD = 20_037_508.342789244  # metres from the origin to the edge of the XYZ tile grid
TILE_PX = 256
MAX_TILES = 64
MAX_ZOOM = 19
PLACE_MAP_PX = 420  # display width of the place map (territory/map.html)
PLACE_MAX_TILES = 16
_REQUEST_ATTRIBUTE = "_fabriques_tile_origins"


@dataclass(frozen=True)
class TileSource:
    url: str
    subdomains: str = "abc"
    attribution: str = ""

    def href(self, zoom: int, column: int, row: int) -> str:
        href = self.url.replace("{z}", str(zoom)).replace("{x}", str(column)).replace("{y}", str(row))
        if "{s}" in href and self.subdomains:
            href = href.replace("{s}", self.subdomains[(column + row) % len(self.subdomains)])
        return href

    @property
    def origins(self) -> list[str]:
        """Every origin a tile may come from (one per subdomain when the template has `{s}`)."""
        urls = [self.url.replace("{s}", s) for s in self.subdomains] if "{s}" in self.url else [self.url]
        found = []
        for url in urls:
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
            if origin and origin not in found:
                found.append(origin)
        return found

    @property
    def credit(self) -> str:
        """What the caption says: the configured attribution, else the tile host."""
        return self.attribution or ", ".join(urlsplit(o).netloc for o in self.origins)


def tile_source() -> TileSource | None:
    """The configured tile source, or None (offline maps, the default)."""
    url = getattr(settings, "FABRIQUES_TILE_URL", "")
    if not url:
        return None
    return TileSource(url=url, subdomains=getattr(settings, "FABRIQUES_TILE_SUBDOMAINS", "abc"),
                      attribution=getattr(settings, "FABRIQUES_TILE_ATTRIBUTION", ""))


def allow_tiles(request, source: TileSource) -> None:
    """Mark the request: its response's CSP must allow the tile origins in img-src (see TileCspMiddleware)."""
    if request is None:
        return
    marked = getattr(request, _REQUEST_ATTRIBUTE, None)
    if marked is None:
        marked = []
        setattr(request, _REQUEST_ATTRIBUTE, marked)
    marked.extend(o for o in source.origins if o not in marked)


class TileCspMiddleware:
    """Add the tile origins a page drew to its img-src. List it after csp.middleware.CSPMiddleware: its response
    phase then runs first, and django-csp reads `response._csp_update` (the attribute its @csp_update sets)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        origins = getattr(request, _REQUEST_ATTRIBUTE, None)
        if origins:
            update = dict(getattr(response, "_csp_update", None) or {})
            img_src = list(update.get("img-src") or [])
            update["img-src"] = img_src + [o for o in origins if o not in img_src]
            response._csp_update = update
        return response


@dataclass(frozen=True)
class Tile:
    href: str
    x: float
    y: float
    size: float


def _grid(box: tuple[float, float, float, float], zoom: int, max_tiles: int):
    """Zoom, tile width in metres, columns and rows covering a Web Mercator box; zoom lowered until at most
    max_tiles are needed."""
    minx, miny, maxx, maxy = box
    while True:
        n = 2 ** zoom
        metres = 2 * MERCATOR_HALF_WORLD / n
        columns = range(max(0, math.floor((minx + MERCATOR_HALF_WORLD) / metres)),
                        min(n - 1, math.floor((maxx + MERCATOR_HALF_WORLD) / metres)) + 1)
        rows = range(max(0, math.floor((MERCATOR_HALF_WORLD - maxy) / metres)),
                     min(n - 1, math.floor((MERCATOR_HALF_WORLD - miny) / metres)) + 1)
        if len(columns) * len(rows) <= max_tiles or zoom == 0:
            return zoom, metres, columns, rows
        zoom -= 1


def _zoom_for(metres_per_px: float) -> int:
    """The lowest zoom whose tile pixels are at most `metres_per_px` Web Mercator metres (tiles not enlarged)."""
    world_px = 2 * MERCATOR_HALF_WORLD / metres_per_px
    return max(0, min(MAX_ZOOM, math.ceil(math.log2(world_px / TILE_PX))))


def tiles(frame, source: TileSource) -> list[Tile]:
    """The XYZ tiles covering a Web Mercator frame (minx, miny, maxx, maxy, scale in SVG units per metre, to_svg),
    placed in SVG units, at the zoom where a tile is drawn at most TILE_PX wide, lowered to at most MAX_TILES."""
    zoom, metres, columns, rows = _grid((frame.minx, frame.miny, frame.maxx, frame.maxy),
                                        _zoom_for(1 / frame.scale), MAX_TILES)
    size = round(metres * frame.scale, 2)
    result = []
    for row in rows:
        for column in columns:
            x, y = frame.to_svg(column * metres - MERCATOR_HALF_WORLD, MERCATOR_HALF_WORLD - row * metres)
            result.append(Tile(href=source.href(zoom, column, row), x=round(float(x), 2), y=round(float(y), 2),
                               size=size))
    return result


@dataclass(frozen=True)
class PlacedTile:
    """A tile drawn at x = y = -size/2 (Web Mercator metres from its centre, y down) through `matrix`, the SVG
    affine map onto the place map's frame (Lambert-93, x east metres, y = -north metres, from the place)."""
    href: str
    size: float
    matrix: tuple[float, float, float, float, float, float]

    @property
    def x(self) -> float:
        return -self.size / 2

    y = x

    @property
    def transform(self) -> str:
        return "matrix(" + " ".join(f"{v:.9g}" if i < 4 else f"{v:.3f}" for i, v in enumerate(self.matrix)) + ")"


@dataclass(frozen=True)
class PlaceTiles:
    zoom: int
    tiles: list[PlacedTile]


def mercator_to_l93_jacobian(lon, lat, step_m: float = 10.0, *, key: str = "metropole") -> np.ndarray:
    """d(east, north)_L93 / d(x, y)_Mercator at places (central differences, through lon/lat as the maps do);
    one 2×2 matrix per place. It holds the scale cos(φ) of Mercator (times Lambert-93's own scale factor) and the
    rotation by the meridian convergence."""
    mx, my = lonlat_to_mercator(np.atleast_1d(np.asarray(lon, dtype=float)),
                                np.atleast_1d(np.asarray(lat, dtype=float)))
    steps = np.array([[step_m, 0], [-step_m, 0], [0, step_m], [0, -step_m]])
    east, north = lonlat_project(key, *mercator_to_lonlat((mx[:, None] + steps[:, 0]).ravel(),
                                                          (my[:, None] + steps[:, 1]).ravel()))
    east, north = east.reshape(-1, 4), north.reshape(-1, 4)
    jacobian = np.stack([np.stack([east[:, 0] - east[:, 1], east[:, 2] - east[:, 3]], axis=-1),
                         np.stack([north[:, 0] - north[:, 1], north[:, 2] - north[:, 3]], axis=-1)], axis=1)
    return jacobian / (2 * step_m)


def place_tiles(lon: float, lat: float, radius_m: float, source: TileSource, *, width_px: int = PLACE_MAP_PX,
                max_tiles: int = PLACE_MAX_TILES) -> PlaceTiles:
    """The tiles under a place map of `radius_m` (Lambert-93 square around the place, drawn `width_px` wide).

    Each tile gets its own affine map: the local linearisation of Web Mercator → Lambert-93 at the tile's centre,
    with that centre projected exactly. One matrix for the whole map (the linearisation at the place) would be off
    by up to ~1.4 m at the corners of a 6 km square (the east-north cross term, which no affine map can hold);
    per tile the error stays under ~0.5 m (a tile is at most ~3.7 km wide at the zoom chosen for 3 km), and the
    seams between tiles are under a metre wide, a tenth of a pixel at 420 px. Overseas, the map and so the tiles
    are in the territory's own projection (`maps.place_map`)."""
    key = (territory_of(lon, lat) or TERRITORIES[0]).key
    cx, cy = (float(v) for v in lonlat_project(key, lon, lat))
    # The square's corners, exactly in Web Mercator, give the box to cover (a margin for the rounding of tiles).
    corners_lon, corners_lat = projected_to_lonlat(key, cx + np.array([-1, 1, 1, -1]) * radius_m,
                                                   cy + np.array([-1, -1, 1, 1]) * radius_m)
    corner_x, corner_y = lonlat_to_mercator(corners_lon, corners_lat)
    margin = 1.0
    # Web Mercator metres per map pixel: the map's ground metres per pixel over the local Mercator scale.
    mercator_per_metre = 1 / math.sqrt(abs(np.linalg.det(mercator_to_l93_jacobian(lon, lat, key=key)[0])))
    zoom, metres, columns, rows = _grid(
        (float(np.min(corner_x)) - margin, float(np.min(corner_y)) - margin, float(np.max(corner_x)) + margin,
         float(np.max(corner_y)) + margin), _zoom_for(2 * radius_m / width_px * mercator_per_metre), max_tiles)
    cells = [(column, row) for row in rows for column in columns]
    centre_x = np.array([(column + 0.5) * metres - MERCATOR_HALF_WORLD for column, _ in cells])
    centre_y = np.array([MERCATOR_HALF_WORLD - (row + 0.5) * metres for _, row in cells])
    centre_lon, centre_lat = mercator_to_lonlat(centre_x, centre_y)
    east, north = lonlat_project(key, centre_lon, centre_lat)
    placed = []
    for (column, row), e, n, ((j00, j01), (j10, j11)) in zip(
            cells, east, north, mercator_to_l93_jacobian(centre_lon, centre_lat, key=key), strict=True):
        # (u, v) = Mercator metres from the tile's centre, v down → (east, -north) from the place:
        # east = e + J00 u - J01 v; -north = -n - J10 u + J11 v.
        matrix = (float(j00), float(-j10), float(-j01), float(j11), float(e - cx), float(cy - n))
        placed.append(PlacedTile(href=source.href(zoom, column, row), size=round(metres, 3), matrix=matrix))
    return PlaceTiles(zoom=zoom, tiles=placed)
