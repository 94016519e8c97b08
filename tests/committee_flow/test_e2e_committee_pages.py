"""A committee of 128 candidates in Chromium: the ranking a page at a time, a choice made on page 2 keeps page 2,
« Tous » shows every row; axe-core at 1280 and 375 px wide."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import log_in
from tests.committee_flow.conftest import more_candidates

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_committee_pages_through_the_ranking_and_pins_a_dossier_on_page_two(
    live_server, page, evaluated_wave, solved_scenario, people, screenshot, axe_check
):
    more_candidates(evaluated_wave, 120)
    log_in(page, live_server.url, people["committee"].email)
    page.goto(f"{live_server.url}/comite/{evaluated_wave.call.slug}/{evaluated_wave.slug}/")
    rows = page.locator("#ranking tbody tr")
    expect(rows).to_have_count(50)
    expect(page.get_by_text("128 dossiers évalués")).to_be_visible()
    axe_check("committee ranking, first page")

    page.get_by_role("link", name="Page suivante").click()
    expect(rows.first.locator("td").first).to_have_text("51")
    reference = rows.first.locator("a").first.inner_text()
    page.get_by_text(f"Ajuster {reference}", exact=True).click()
    page.get_by_label(f"Choix pour {reference}").select_option("force_in")
    pin_form = page.get_by_label(f"Choix pour {reference}").locator("xpath=ancestor::form")
    pin_form.get_by_label("Motif").fill("Seul lieu du canton")
    pin_form.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text(f"{reference} : choix enregistré.")).to_be_visible()
    assert re.search(r"[?&]page=2(&|$)", page.url)
    expect(rows.first.locator("td").first).to_have_text("51")  # still page 2

    page.set_viewport_size({"width": 375, "height": 900})
    axe_check("committee ranking, page 2, 375 px")
    screenshot("ranking-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Dossiers par page").select_option("all")
    page.get_by_role("button", name="Afficher").click()
    expect(rows).to_have_count(128)
    expect(page.get_by_role("link", name="Page suivante")).to_have_count(0)
    expect(rows.last.locator("td").first).to_have_text("128")
