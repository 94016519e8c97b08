"""Browser: the place map on the eligibility check draws basemap tiles from every `{s}` subdomain of the tile
server (a local one: Chromium resolves *.localhost to the loopback), with no CSP violation."""

import re

import pytest
from playwright.sync_api import expect

from tests.territory.test_locate import VILLEURBANNE_IN_QPV

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_eligibility_map_fetches_its_tiles_from_the_subdomains_with_no_csp_violation(
        live_server, page, numerique, territory_loaded, settings, tile_server, screenshot, axe_check):
    port, requested = tile_server
    settings.FABRIQUES_TILE_URL = f"http://{{s}}.localhost:{port}/{{z}}/{{x}}/{{y}}.png"
    settings.FABRIQUES_TILE_SUBDOMAINS = "abc"
    settings.FABRIQUES_TILE_ATTRIBUTION = "tuiles de test"
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
            else None)
    lat, lon = VILLEURBANNE_IN_QPV

    response = page.goto(f"{live_server.url}/territoire/eligibilite/?track={numerique.pk}&commune=69266"
                         f"&latitude={lat}&longitude={lon}")
    page.wait_for_load_state("networkidle")

    csp = response.headers["content-security-policy"]
    assert all(f"http://{s}.localhost:{port}" in csp for s in "abc")
    drawn = page.locator("svg.territory-map__svg image")
    expect(drawn.first).to_be_attached()
    hrefs = drawn.evaluate_all("images => images.map(i => i.getAttribute('href'))")
    assert all(re.fullmatch(rf"http://[abc]\.localhost:{port}/13/\d+/\d+\.png", h) for h in hrefs)
    assert sorted(f"http://{host}{path}" for host, path in set(requested)) == sorted(hrefs)
    assert len({host for host, _ in requested}) > 1
    loaded = drawn.evaluate_all("images => images.map(i => i.getBBox().width > 0)")
    assert all(loaded)
    assert blocked == []
    expect(page.get_by_role("img", name="Carte des environs du lieu (Villeurbanne), rayon 3000 m")).to_be_visible()
    expect(page.get_by_text("Fond de plan : tuiles de test.")).to_be_visible()
    page.locator("svg.territory-map__svg").scroll_into_view_if_needed()
    screenshot("place-map-basemap")
    axe_check("eligibility report with a basemap")
