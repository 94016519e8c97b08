"""Browser checks of the statistics page (and the open-data page): rendered charts, axe clean, screenshots."""

import pytest
from playwright.sync_api import expect

from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-solide-42"


def test_committee_member_reads_statistics_charts_and_tables(live_server, page, world, screenshot, axe_check):
    log_in(page, live_server.url, world.committee.email)

    page.goto(f"{live_server.url}/donnees/statistiques/{world.call.slug}/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Statistiques")
    chart = page.get_by_role("img", name="Lauréats par région (les valeurs sont dans le tableau qui suit)")
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name="Par région : dossiers, montants, parts et délais")
    expect(table).to_contain_text("Occitanie")
    screenshot("statistics")
    axe_check("statistics page")


def test_visitor_reads_the_open_data_page(live_server, page, world, screenshot, axe_check):
    page.goto(f"{live_server.url}/donnees/")

    expect(page.get_by_role("table", name="Lauréats publiés")).to_contain_text(world.laureate.reference)
    screenshot("open-data")
    axe_check("open data page")


def test_visitor_reads_the_map_with_its_text_alternative(live_server, page, world, territory_loaded, screenshot,
                                                         axe_check):
    page.goto(f"{live_server.url}/donnees/carte/?region=76")

    expect(page.get_by_role("img", name="Carte")).to_be_visible()
    expect(page.get_by_role("table", name="Lauréats affichés")).to_contain_text(world.laureate.place_name)
    screenshot("map")
    axe_check("map page")
