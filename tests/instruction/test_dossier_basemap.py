"""The instruction page's place map: with a tile URL, tiles under it and their origin allowed by that page's CSP."""

import re

import pytest

pytestmark = pytest.mark.django_db


def img_src(response) -> str:
    return next(d for d in response["Content-Security-Policy"].split(";") if d.strip().startswith("img-src")).strip()


@pytest.mark.parametrize("tile_url", ["", "https://tuiles.example.org/{z}/{x}/{y}.png"])
def test_the_dossier_page_allows_the_tile_origin_only_when_it_draws_tiles(client, build, communes, occitanie,
                                                                          settings, tile_url):
    settings.FABRIQUES_TILE_URL = tile_url
    dossier = build(communes["toulouse"])
    client.force_login(occitanie["instructor"])

    response = client.get(f"/instruction/dossiers/{dossier.uuid}/")
    dashboard = client.get("/instruction/")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="territory-map__svg"' in body
    if tile_url:
        assert re.search(r'<image href="https://tuiles\.example\.org/13/\d+/\d+\.png"', body)
        assert img_src(response) == "img-src 'self' data: https://tuiles.example.org"
    else:
        assert "<image" not in body
        assert "Carte sans fond de plan." in body
        assert img_src(response) == "img-src 'self' data:"
    assert dashboard.status_code == 200
    assert "territory-map__svg" not in dashboard.content.decode()
    assert img_src(dashboard) == "img-src 'self' data:"
