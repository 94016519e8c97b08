"""Browser: with a tile URL, the map fetches its basemap tiles from the tile server (a local one here)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_map_draws_the_basemap_tiles_from_the_configured_tile_server(live_server, page, world, settings,
                                                                       tile_server, screenshot, axe_check):
    port, requested = tile_server
    origin = f"http://127.0.0.1:{port}"
    settings.FABRIQUES_TILE_URL = origin + "/{z}/{x}/{y}.png"
    settings.FABRIQUES_TILE_ATTRIBUTION = "tuiles de test"
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
            else None)

    page.goto(f"{live_server.url}/donnees/carte/?region=76")
    page.wait_for_load_state("networkidle")

    drawn = page.locator("svg[role=img] image")
    expect(drawn.first).to_be_attached()
    hrefs = drawn.evaluate_all("images => images.map(i => i.getAttribute('href'))")
    assert all(re.fullmatch(re.escape(origin) + r"/\d+/\d+/\d+\.png", h) for h in hrefs)
    assert sorted({path for _, path in requested}) == sorted(h.removeprefix(origin) for h in hrefs)
    assert blocked == []
    expect(page.get_by_text("Projection Web Mercator ; fond de carte : tuiles de test.")).to_be_visible()
    expect(page.get_by_role("table", name="Lauréats affichés")).to_contain_text(world.laureate.place_name)
    screenshot("map-basemap")
    axe_check("map page with basemap")
