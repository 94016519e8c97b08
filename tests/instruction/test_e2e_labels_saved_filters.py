"""In Chromium: an instructor labels a dossier, filters the dashboard by that label, keeps the filter under a name
and finds it again in one click. Axe on the pages."""

import pytest
from playwright.sync_api import expect

from fabriques.instruction.models import SavedFilter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_instructor_labels_filters_and_keeps_the_filter(live_server, page, build, communes, occitanie, tmp_path,
                                                           settings, screenshot, axe_check):
    settings.MEDIA_ROOT = tmp_path / "media"
    labelled, other = build(communes["toulouse"]), build(communes["toulouse"])
    page.goto(live_server.url + "/compte/login/")
    page.get_by_label("Courriel").fill(occitanie["instructor"].email)
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/espace/")

    page.goto(f"{live_server.url}/instruction/dossiers/{labelled.uuid}/")
    page.get_by_label("Étiquettes du dossier").fill("À relancer, Visite prévue")
    page.get_by_role("button", name="Enregistrer les étiquettes").click()
    expect(page.get_by_text("Étiquettes : À relancer, Visite prévue.")).to_be_visible()
    axe_check("dossier with labels")

    page.goto(f"{live_server.url}/instruction/")
    page.locator("#id_label").fill("À relancer")
    page.get_by_role("button", name="Filtrer").click()
    table = page.locator("#dashboard-table tbody")
    expect(table.get_by_role("link", name=labelled.reference)).to_be_visible()
    expect(table.get_by_role("link", name=other.reference)).to_have_count(0)
    page.get_by_label("Enregistrer les filtres actuels sous le nom").fill("À relancer cette semaine")
    page.get_by_role("button", name="Enregistrer ce filtre").click()
    expect(page.get_by_text("Filtre « À relancer cette semaine » enregistré.")).to_be_visible()
    screenshot("saved-filter")
    axe_check("dashboard with a saved filter")

    page.get_by_role("link", name="Réinitialiser").click()
    expect(table.get_by_role("link", name=other.reference)).to_be_visible()
    page.get_by_role("link", name="À relancer cette semaine").click()
    expect(table.get_by_role("link", name=other.reference)).to_have_count(0)
    expect(table.get_by_role("link", name=labelled.reference)).to_be_visible()
    assert SavedFilter.objects.get().name == "À relancer cette semaine"

    # The « Étiquettes » column, chosen among the columns, shows each dossier's labels in alphabetical order.
    page.get_by_role("button", name="Choisir les colonnes").click()
    expect(page.get_by_role("button", name="Choisir les colonnes")).to_have_attribute("aria-expanded", "true")
    page.locator("label[for=col-labels]").click()  # the DSFR checkbox: its label takes the click
    expect(page.get_by_label("Étiquettes", exact=True)).to_be_checked()
    page.get_by_role("button", name="Enregistrer mes colonnes").click()
    header = page.locator("#dashboard-table thead")
    expect(header.get_by_role("link", name="Étiquettes")).to_be_visible()
    row = table.locator("tr", has=page.get_by_role("link", name=labelled.reference))
    expect(row).to_contain_text("À relancer, Visite prévue")
    screenshot("labels-column")
    axe_check("dashboard with the labels column")
