"""A project holder checks a place before applying (real Chromium, axe-core)."""

import re

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


LYON_IN_MERMOZ = (45.730042, 4.884645)  # inside QN06933I Mermoz (Lyon 8e), representative point of the perimeter
LYON_250M_FROM_MERMOZ = (45.732905, 4.879419)  # on the 250 m buffer of that perimeter (Lambert-93, shapely)


def test_a_newcomer_goes_from_the_home_page_to_a_lyon_answer_inside_then_250_m_away(
    live_server, page, numerique, territory_loaded, screenshot, axe_check
):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Vérifier l’éligibilité d’un lieu").click()
    page.wait_for_url("**/territoire/eligibilite/")
    track = page.get_by_label("Entrée de l’appel")
    track.select_option(label="Fabrique numérique de territoire — AMI Tiers-lieux 2019")
    page.get_by_label("Commune").fill("Lyon 8e")
    page.get_by_label("Latitude").fill(str(LYON_IN_MERMOZ[0]).replace(".", ","))
    page.get_by_label("Longitude").fill(str(LYON_IN_MERMOZ[1]).replace(".", ","))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url("**/territoire/eligibilite/?*")
    expect(page.get_by_text("Dans le QPV QN06933I Mermoz.")).to_be_visible()
    expect(page.get_by_text("Lyon 8e Arrondissement (69388)")).to_be_visible()
    screenshot("lyon-inside")
    page.get_by_label("Latitude").fill(str(LYON_250M_FROM_MERMOZ[0]).replace(".", ","))
    page.get_by_label("Longitude").fill(str(LYON_250M_FROM_MERMOZ[1]).replace(".", ","))
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_text(re.compile(r"^À 2(49|50|51) m du QPV QN06933I Mermoz, seuil 500 m\.$"))).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot("lyon-250m-375px")
    axe_check("eligibility answer at 375 px")
