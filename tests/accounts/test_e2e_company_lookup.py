"""An applicant fills the organisation form from the company directory (a local server in the API's format), in
Chromium at 375 px, with htmx; axe-core on the page with results."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from fabriques.accounts.models import Organisation
from tests.accounts.company_directory import ASSOCIATION_SIRET, Directory
from tests.dossiers.factories import make_commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory(settings):
    cache.clear()
    server = Directory()
    settings.FABRIQUES_COMPANY_LOOKUP_URL = server.url
    yield server
    server.stop()
    cache.clear()


def test_a_siret_fills_the_organisation_and_its_facts_are_kept(
    live_server, page, call, make_user, directory, screenshot, axe_check
):
    make_commune(code="69123", name="Lyon")
    make_user("porteuse@example.org")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + "/compte/login/")
    page.get_by_label("Courriel").fill("porteuse@example.org")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/espace/")

    page.goto(live_server.url + "/dossiers/organisations/nouvelle/")
    page.get_by_label("SIRET ou nom de l’organisation").fill("732 829 320 00074")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#company-results")).to_contain_text("ASSOCIATION LES PENTES")
    assert page.url.endswith("/dossiers/organisations/nouvelle/")  # htmx: only the results changed
    screenshot("results")
    axe_check("company results")
    page.get_by_role("button", name="Utiliser ces informations").click()
    expect(page.locator("#company-notice")).to_contain_text("RNA W691234567")
    expect(page.get_by_label("Raison sociale")).to_have_value("ASSOCIATION LES PENTES")
    expect(page.get_by_label("Forme juridique")).to_have_value("association")
    expect(page.get_by_label("Commune du siège")).to_have_value("69123 Lyon (69)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe_check("prefilled form")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Organisation « ASSOCIATION LES PENTES » enregistrée.")).to_be_visible()
    organisation = Organisation.objects.get()
    assert (organisation.siret, organisation.legal_category, organisation.rna) == (
        ASSOCIATION_SIRET, "9220", "W691234567")
