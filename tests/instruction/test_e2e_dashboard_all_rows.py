"""An instructor chooses to see every row of the dashboard at once, in Chromium (desktop and 375 px)."""

import pytest
from playwright.sync_api import expect

from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_row_with_a_sticky_header_remembered_for_the_next_visit(
    live_server, page, build, communes, occitanie, close_wave, screenshot, axe_check
):
    references = sorted(build(communes["toulouse"]).reference for _ in range(12))
    close_wave()
    log_in(page, live_server.url, occitanie["instructor"].email)
    page.goto(live_server.url + "/instruction/")

    page.get_by_label("Lignes par page").select_option("all")
    page.get_by_role("button", name="Filtrer").click()

    rows = page.locator("#dashboard-table tbody tr:not(.fab-wave-group)")
    expect(rows).to_have_count(12)
    expect(page.get_by_text("12 dossiers correspondent")).to_be_visible()
    expect(page.get_by_role("navigation", name="Pagination")).to_have_count(0)
    header = page.locator("#dashboard-table thead th").nth(1)
    assert header.evaluate("th => getComputedStyle(th).position") == "sticky"
    # The table scrolls in its own container, which the keyboard reaches (Tab) and scrolls (arrows).
    container = page.locator(".fab-all-rows .fr-table__container")
    assert container.get_attribute("tabindex") == "0"
    screenshot("dashboard-all-rows")
    axe_check("dashboard, every row")

    # Remembered: the next visit opens on every row, without the parameter.
    page.goto(live_server.url + "/instruction/?sort=reference")
    expect(rows).to_have_count(12)
    expect(page.get_by_label("Lignes par page")).to_have_value("all")
    first = page.locator("#dashboard-table tbody tr:not(.fab-wave-group) a").first
    expect(first).to_have_text(references[0])

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot("dashboard-all-rows-375")
