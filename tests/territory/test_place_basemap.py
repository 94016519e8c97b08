"""The place map's basemap: Web Mercator tiles placed in the Lambert-93 frame of the place, one affine map a tile.

References are independent of the code under test: the OpenStreetMap wiki's slippy-tile formula for where a
lon/lat is on a tile, pyproj (through territory.geometry) for where it is in Lambert-93.
"""

import math
import re
from typing import NamedTuple

import pytest
import shapely
from django.template import Context, Template
from django.test import RequestFactory

from fabriques.territory.geometry import l93_to_lonlat, lonlat_to_l93
from fabriques.territory.locate import locate
from fabriques.territory.models import TiersLieu
from fabriques.territory.tiles import PLACE_MAX_TILES, TileCspMiddleware, TileSource, allow_tiles, place_tiles
from tests.territory.test_locate import VILLEURBANNE_IN_QPV

TILES = "https://tuiles.example.org/{z}/{x}/{y}.png"
SOURCE = TileSource(url=TILES)
# (lon, lat): Villeurbanne, Ajaccio (far east: ~3.8° of meridian convergence), Brest (far west), Dunkirk (north).
PLACES = [(4.90146, 45.76399), (8.7369, 41.9192), (-4.4861, 48.3904), (2.3768, 51.0343)]
EARTH = 2 * 20_037_508.342789244  # the whole XYZ grid in Web Mercator metres


def slippy_tile(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """The XYZ tile coordinates of a point (fractional), by the OpenStreetMap wiki's formula."""
    n = 2 ** zoom
    return (lon + 180) / 360 * n, (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n


def apply(matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def drawn_at(tiles, zoom, lon, lat, href=lambda z, x, y: f"https://tuiles.example.org/{z}/{x}/{y}.png"):
    """Where the pixel of the tiles showing (lon, lat) lands on the map, through its tile's transform."""
    fx, fy = slippy_tile(lon, lat, zoom)
    tile = next(t for t in tiles if t.href == href(zoom, int(fx), int(fy)))
    return apply(tile.matrix, tile.x + (fx - int(fx)) * tile.size, tile.y + (fy - int(fy)) * tile.size)


def l93_from_place(lon, lat, lon0, lat0) -> tuple[float, float]:
    """Map coordinates of (lon, lat) on the place map of (lon0, lat0): east metres, minus north metres."""
    (x, x0), (y, y0) = lonlat_to_l93([lon, lon0], [lat, lat0])
    return float(x - x0), float(y0 - y)


@pytest.mark.parametrize(("lon0", "lat0"), PLACES)
def test_a_point_is_drawn_on_the_tile_pixel_that_shows_it_within_a_metre(lon0, lat0):
    basemap = place_tiles(lon0, lat0, 3000, SOURCE)

    assert drawn_at(basemap.tiles, basemap.zoom, lon0, lat0) == pytest.approx((0, 0), abs=0.5)
    x0, y0 = (float(v) for v in lonlat_to_l93(lon0, lat0))
    for east, north in [(2900, 2900), (-2900, 2900), (2900, -2900), (-2900, -2900), (1500, -300)]:
        lon, lat = (float(v) for v in l93_to_lonlat(x0 + east, y0 + north))
        expected = l93_from_place(lon, lat, lon0, lat0)
        assert expected == pytest.approx((east, -north), abs=0.01)
        assert drawn_at(basemap.tiles, basemap.zoom, lon, lat) == pytest.approx(expected, abs=1)


@pytest.mark.parametrize(("lon0", "lat0"), PLACES)
def test_the_tiles_cover_the_whole_square_of_the_map(lon0, lat0):
    basemap = place_tiles(lon0, lat0, 3000, SOURCE)

    quads = [shapely.Polygon([apply(t.matrix, t.x + dx * t.size, t.y + dy * t.size)
                              for dx, dy in [(0, 0), (1, 0), (1, 1), (0, 1)]]) for t in basemap.tiles]
    square = shapely.box(-3000, -3000, 3000, 3000)
    # Neighbouring tiles have their own linearisation: seams of a few decimetres, under 1.2 m (0.1 px at 420 px).
    assert shapely.union_all([q.buffer(0.6) for q in quads]).contains(square)
    assert shapely.union_all(quads).intersection(square).area > square.area - 6000 * 4 * 1
    assert len(basemap.tiles) == len({t.href for t in basemap.tiles}) <= PLACE_MAX_TILES


@pytest.mark.parametrize(("lon0", "lat0"), PLACES)
def test_the_zoom_is_the_lowest_that_does_not_enlarge_the_tiles(lon0, lat0):
    basemap = place_tiles(lon0, lat0, 3000, SOURCE)

    map_metres_per_px = 6000 / 420
    tile_metres_per_px = [EARTH * math.cos(math.radians(lat0)) / 256 / 2 ** z for z in (basemap.zoom,
                                                                                      basemap.zoom - 1)]
    assert tile_metres_per_px[0] <= map_metres_per_px * 1.001 < tile_metres_per_px[1]
    assert basemap.zoom == 13


def test_the_zoom_is_lowered_to_keep_few_tiles():
    basemap = place_tiles(4.90146, 45.76399, 3000, SOURCE, max_tiles=4)
    wide = place_tiles(4.90146, 45.76399, 60_000, SOURCE)

    assert len(basemap.tiles) <= 4
    assert basemap.zoom == 12
    assert len(wide.tiles) <= PLACE_MAX_TILES
    assert wide.zoom == 9


def test_the_transform_holds_the_mercator_scale_and_the_meridian_convergence():
    basemap = place_tiles(8.7369, 41.9192, 3000, SOURCE)
    fx, fy = slippy_tile(8.7369, 41.9192, basemap.zoom)
    here = next(t for t in basemap.tiles if t.href.endswith(f"/{int(fx)}/{int(fy)}.png"))
    a, b, c, d, e, f = here.matrix

    scale = math.sqrt(a * d - b * c)
    rotation = math.degrees(math.atan2(-b, a))  # the grid turns by the convergence, east of the 3° E meridian
    assert scale == pytest.approx(math.cos(math.radians(41.9192)), rel=2e-3)  # times Lambert-93's own scale
    assert rotation == pytest.approx((8.7369 - 3) * math.sin(math.radians(46.5)), abs=0.1)
    assert math.hypot(e, f) < here.size * scale  # the tile's centre, within a tile of the place


def test_subdomains_are_chosen_per_tile_and_every_origin_is_listed():
    source = TileSource(url="https://{s}.tuiles.example.org/{z}/{x}/{y}.png", subdomains="abc")

    assert source.href(13, 4211, 2915) == "https://b.tuiles.example.org/13/4211/2915.png"  # (4211+2915) % 3 = 1
    assert source.href(13, 4212, 2915) == "https://c.tuiles.example.org/13/4212/2915.png"
    assert source.href(13, 4213, 2915) == "https://a.tuiles.example.org/13/4213/2915.png"
    assert source.origins == ["https://a.tuiles.example.org", "https://b.tuiles.example.org",
                              "https://c.tuiles.example.org"]
    assert SOURCE.origins == ["https://tuiles.example.org"]
    assert SOURCE.href(1, 0, 1) == "https://tuiles.example.org/1/0/1.png"
    hosts = {t.href.split("/")[2] for t in place_tiles(4.90146, 45.76399, 3000, source).tiles}
    assert hosts <= {"a.tuiles.example.org", "b.tuiles.example.org", "c.tuiles.example.org"}
    assert len(hosts) > 1


def test_the_middleware_adds_the_marked_origins_to_what_the_view_asked():
    request = RequestFactory().get("/")
    allow_tiles(request, TileSource(url="https://{s}.t.example/{z}/{x}/{y}.png", subdomains="ab"))
    allow_tiles(request, TileSource(url="https://a.t.example/{z}/{x}/{y}.png"))

    def view(request):
        from django.http import HttpResponse

        response = HttpResponse("ok")
        response._csp_update = {"img-src": ["https://autre.example"], "font-src": ["https://f.example"]}
        return response

    response = TileCspMiddleware(view)(request)

    assert response._csp_update == {"img-src": ["https://autre.example", "https://a.t.example", "https://b.t.example"],
                                    "font-src": ["https://f.example"]}


# --- The template tag and the pages ----------------------------------------------------------------------------------

def render(location, request=None) -> str:
    return Template("{% load territory_maps %}{% territory_map location %}").render(
        Context({"location": location, "request": request}))


def img_src(response) -> str:
    return next(d for d in response["Content-Security-Policy"].split(";") if d.strip().startswith("img-src")).strip()


def eligibility_url(track) -> str:
    lat, lon = VILLEURBANNE_IN_QPV
    return f"/territoire/eligibilite/?track={track.pk}&commune=69266&latitude={lat}&longitude={lon}"


@pytest.mark.django_db
def test_without_a_tile_url_the_place_map_stays_offline(client, settings, territory_loaded, numerique):
    settings.FABRIQUES_TILE_URL = ""

    response = client.get(eligibility_url(numerique))

    body = response.content.decode()
    assert 'class="territory-map__svg"' in body
    assert "<image" not in body
    assert "Carte sans fond de plan." in body
    assert img_src(response) == "img-src 'self' data:"


@pytest.mark.django_db
def test_a_census_point_is_drawn_over_the_place_it_has_on_the_tiles(settings, territory_loaded):
    settings.FABRIQUES_TILE_URL = TILES
    settings.FABRIQUES_TILE_ATTRIBUTION = "© Contributeurs OpenStreetMap"
    lat0, lon0 = VILLEURBANNE_IN_QPV
    request = RequestFactory().get("/")

    html = render(locate(latitude=lat0, longitude=lon0), request)

    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    images = re.findall(r'<image href="(https://tuiles\.example\.org/(\d+)/\d+/\d+\.png)" x="([-0-9.]+)" '
                        r'y="([-0-9.]+)" width="([0-9.]+)" height="\5" transform="matrix\(([^)]+)\)"', svg)
    zoom = int(images[0][1])
    tiles = [_Drawn(href, float(x), float(y), float(size), [float(v) for v in matrix.split()])
             for href, _, x, y, size, matrix in images]
    assert svg.index("<image") < svg.index("<path") < svg.index("<circle")  # under the QPV and the points
    circles = re.findall(r'<circle cx="(-?\d+)" cy="(-?\d+)" r="75"[^>]*><title>([^<]+) \(', svg)
    assert circles
    cx, cy, name = circles[0]
    lon, lat = TiersLieu.objects.filter(name=name).values_list("longitude", "latitude")[0]
    exact = l93_from_place(lon, lat, lon0, lat0)
    assert (float(cx), float(cy)) == pytest.approx(exact, abs=0.5)
    assert drawn_at(tiles, zoom, lon, lat) == pytest.approx(exact, abs=1)
    assert drawn_at(tiles, zoom, lon0, lat0) == pytest.approx((0, 0), abs=0.5)
    assert "Fond de plan : © Contributeurs OpenStreetMap." in html
    assert "pas encore disponible" not in html
    assert request._fabriques_tile_origins == ["https://tuiles.example.org"]


class _Drawn(NamedTuple):
    href: str
    x: float
    y: float
    size: float
    matrix: list[float]


@pytest.mark.django_db
def test_the_eligibility_page_allows_every_tile_origin_and_a_page_without_a_map_does_not(
        client, settings, territory_loaded, numerique):
    settings.FABRIQUES_TILE_URL = "https://{s}.tuiles.example.org/{z}/{x}/{y}.png"
    settings.FABRIQUES_TILE_SUBDOMAINS = "abc"

    response = client.get(eligibility_url(numerique))
    empty_form = client.get("/territoire/eligibilite/")

    body = response.content.decode()
    hosts = set(re.findall(r'<image href="https://([a-c])\.tuiles\.example\.org/13/', body))
    assert len(hosts) > 1
    assert img_src(response) == ("img-src 'self' data: https://a.tuiles.example.org https://b.tuiles.example.org "
                                 "https://c.tuiles.example.org")
    assert "territory-map__svg" not in empty_form.content.decode()
    assert img_src(empty_form) == "img-src 'self' data:"
