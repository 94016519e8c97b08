"""A project holder checks a place before applying (real Chromium, axe-core)."""

import pytest
from playwright.sync_api import expect

from tests.territory.test_locate import VILLEURBANNE_IN_QPV

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_holder_finds_the_commune_in_the_list_and_reads_the_report_with_a_map(
    live_server, page, numerique, territory_loaded, screenshot, axe_check
):
    page.goto(live_server.url + "/territoire/eligibilite/")
    axe_check("empty eligibility form")
    track = page.get_by_label("Entrée de l’appel")
    track.select_option(label="Fabrique numérique de territoire — AMI Tiers-lieux 2019")
    commune = page.get_by_label("Commune")
    commune.press_sequentially("villeurb", delay=30)
    expect(page.locator("#territory-communes option[value='69266']")).to_have_count(1)
    commune.fill("69266")
    page.get_by_label("Latitude").fill(str(VILLEURBANNE_IN_QPV[0]).replace(".", ","))
    page.get_by_label("Longitude").fill(str(VILLEURBANNE_IN_QPV[1]).replace(".", ","))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url("**/territoire/eligibilite/?*")
    expect(page.get_by_role("heading", name="Résultat pour « Fabrique numérique de territoire »")).to_be_visible()
    expect(page.get_by_text("Dans le QPV QN06901M Monod - Baratin - Cacard.")).to_be_visible()
    expect(page.get_by_role("img", name="Carte des environs du lieu (Villeurbanne), rayon 3000 m")).to_be_visible()
    screenshot("report")
    axe_check("eligibility report with map")
