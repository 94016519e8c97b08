"""The basemap: none by default (offline Lambert-93 map); with a tile URL, XYZ tiles in Web Mercator under points."""

import math
import re

import pytest
from django.urls import reverse

from fabriques.opendata import queries

pytestmark = pytest.mark.django_db

TILES = "https://tuiles.example.org/{z}/{x}/{y}.png"


def svg_of(html: str) -> str:
    return html.split('<svg role="img"', 1)[1].split("</svg>", 1)[0]


def img_src(response) -> str:
    return next(d for d in response["Content-Security-Policy"].split(";") if d.strip().startswith("img-src")).strip()


def slippy_tile(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """The XYZ tile coordinates of a point (fractional), by the OpenStreetMap wiki's formula."""
    n = 2 ** zoom
    return (lon + 180) / 360 * n, (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n


def test_without_a_tile_url_the_map_stays_offline_in_lambert_93(client, world, settings):
    settings.FABRIQUES_TILE_URL = ""

    response = client.get(reverse("opendata:map"))

    html = response.content.decode()
    assert "<image" not in svg_of(html)
    assert img_src(response) == "img-src 'self' data:"
    assert "Projection Lambert-93 ; fond de carte hors ligne." in html


def test_with_a_tile_url_tiles_cover_the_frame_and_only_the_map_allows_their_host(client, world, settings):
    settings.FABRIQUES_TILE_URL = TILES
    settings.FABRIQUES_TILE_ATTRIBUTION = "© Contributeurs OpenStreetMap"

    response = client.get(reverse("opendata:map"))

    html = response.content.decode()
    svg = svg_of(html)
    tiles = [(int(z), int(x), int(y), float(left), float(top), float(size)) for z, x, y, left, top, size in re.findall(
        r'<image href="https://tuiles\.example\.org/(\d+)/(\d+)/(\d+)\.png" x="([-0-9.]+)" y="([-0-9.]+)" '
        r'width="([0-9.]+)" height="\6"', svg)]
    width, height = map(float, re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    assert svg.index("<image") < svg.index("<circle")  # under the points
    assert len({t[0] for t in tiles}) == 1
    assert min(t[3] for t in tiles) <= 0
    assert max(t[3] + t[5] for t in tiles) >= width
    assert min(t[4] for t in tiles) <= 0
    assert max(t[4] + t[5] for t in tiles) >= height
    assert len(tiles) == len({(t[1], t[2]) for t in tiles}) <= 64
    assert img_src(response) == "img-src 'self' data: https://tuiles.example.org"
    assert "Projection Web Mercator ; fond de carte : © Contributeurs OpenStreetMap." in html
    assert "tuiles.example.org" not in client.get(reverse("opendata:page"))["Content-Security-Policy"]


def test_a_laureate_is_drawn_where_its_tile_shows_its_place(client, world, settings):
    settings.FABRIQUES_TILE_URL = TILES
    [record] = queries.laureate_records(queries.laureates())

    svg = svg_of(client.get(reverse("opendata:map")).content.decode())

    cx, cy = map(float, re.search(r'<circle cx="([0-9.]+)" cy="([0-9.]+)" r="5">', svg).groups())
    zoom = int(re.search(r"tuiles\.example\.org/(\d+)/", svg).group(1))
    fx, fy = slippy_tile(record["longitude"], record["latitude"], zoom)
    left, top, size = map(float, re.search(
        rf'/{zoom}/{int(fx)}/{int(fy)}\.png" x="([-0-9.]+)" y="([-0-9.]+)" width="([0-9.]+)"', svg).groups())
    assert cx == pytest.approx(left + (fx - int(fx)) * size, abs=0.2)
    assert cy == pytest.approx(top + (fy - int(fy)) * size, abs=0.2)


def test_a_region_frame_uses_closer_tiles(client, world, settings):
    settings.FABRIQUES_TILE_URL = TILES

    france = svg_of(client.get(reverse("opendata:map")).content.decode())
    occitanie = svg_of(client.get(reverse("opendata:map"), {"region": "76"}).content.decode())

    zoom = [int(re.search(r"tuiles\.example\.org/(\d+)/", svg).group(1)) for svg in (france, occitanie)]
    assert zoom[1] > zoom[0]
