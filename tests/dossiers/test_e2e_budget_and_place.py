"""The budget and place pages as the applicant sees them: bordered inputs, French amounts, no sideways scroll at
375 px, and the place fields the deposit needs are not called « facultatif ». Real Chromium, axe-core."""

import pytest

from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NNBSP = "\u202f"


@pytest.mark.parametrize("width", [1280, 375])
def test_budget_page_reads_well_and_never_scrolls_sideways(
    live_server, page, complete_dossier, applicant, axe_check, screenshot, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, applicant.email)
    page.goto(f"{live_server.url}/dossiers/{complete_dossier.uuid}/budget/")

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    shadow = page.locator(".fab-budget-table .fr-input").first.evaluate("e => getComputedStyle(e).boxShadow")
    assert "inset" in shadow
    assert "1px" in shadow  # a border on every side, not only the DSFR's bottom line
    summary = page.locator("#budget-summary").inner_text()
    assert f"{NNBSP}000\u00a0€" in summary  # « 60 000 € », never « 60000 »
    intro = page.get_by_text("La subvention demandée à l’État est comprise entre").inner_text()
    assert f"{NNBSP}000\u00a0€" in intro
    screenshot(f"budget-{width}")
    axe_check(f"budget {width}")


def test_place_fields_needed_for_the_deposit_are_not_called_optional(live_server, page, dossier, applicant,
                                                                     axe_check):
    page.set_viewport_size({"width": 375, "height": 900})
    log_in(page, live_server.url, applicant.email)
    page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/lieu/")

    for label in ("Nom du lieu", "Nature du lieu", "Adresse du lieu", "Commune du lieu"):
        text = page.locator(f"label:has-text('{label}')").first.inner_text()
        assert "(obligatoire pour déposer)" in text, text
        assert "facultatif" not in text
    assert "(facultatif)" in page.locator("label:has-text('Latitude')").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check("place 375")
