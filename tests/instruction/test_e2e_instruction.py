"""An instructor takes a deposited dossier from the dashboard to admissible, in Chromium."""

import pytest
from playwright.sync_api import expect

from fabriques.dossiers.enums import DossierState
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_instructor_reviews_a_dossier_and_declares_it_admissible(
    live_server, page, build, communes, occitanie, close_wave, screenshot, axe_check
):
    dossier = build(communes["toulouse"])
    build(communes["lyon"])  # another group's dossier: must not appear
    close_wave()

    log_in(page, live_server.url, occitanie["instructor"].email)
    page.goto(live_server.url + "/instruction/")
    expect(page.locator("#dashboard-table tbody tr:not(.fab-wave-group)")).to_have_count(1)
    expect(page.get_by_role("link", name=dossier.reference)).to_be_visible()
    screenshot("dashboard")
    axe_check("dashboard")

    page.get_by_role("link", name=dossier.reference).click()
    page.get_by_role("button", name="Commencer l’instruction").click()
    expect(page.get_by_text("Instruction commencée.")).to_be_visible()
    page.get_by_label("Motif de la confirmation manuelle").fill("Réseau de trois tiers-lieux décrit au critère 5.")
    page.get_by_role("button", name="Confirmer ce point").click()
    expect(page.get_by_text("Point confirmé manuellement.")).to_be_visible()
    page.locator("label[for=decision-admissible]").click()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Dossier déclaré recevable.")).to_be_visible()
    screenshot("dossier-admissible")
    axe_check("dossier page")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.ADMISSIBLE
