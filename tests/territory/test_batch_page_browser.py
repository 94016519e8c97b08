"""In Chromium: an instructor uploads a CSV of places and downloads the result; the page passes axe at 375 px."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fabriques.accounts.enums import Role
from tests.territory.test_batch import SAMPLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_instructor_checks_a_file_of_places_and_downloads_the_result(
    live_server, page, call, territory_loaded, make_user, tmp_path, screenshot, axe_check
):
    instructor = make_user("instructeur@example.org", call=call, role=Role.INSTRUCTOR)
    places = tmp_path / "lieux.csv"
    places.write_text(SAMPLE, encoding="utf-8")
    page.goto(live_server.url + "/compte/login/")
    page.get_by_label("Courriel").fill(instructor.email)
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    page.get_by_role("button", name="Connexion").click()
    page.goto(live_server.url + "/territoire/verification-par-lot/")
    expect(page.get_by_role("heading", name="Vérifier des lieux par lot")).to_be_visible()
    axe_check("batch check form")
    page.get_by_label("Fichier CSV des lieux").set_input_files(str(places))
    page.get_by_label("Appel dont les règles s’appliquent").select_option(label=call.title)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Vérifier et télécharger le résultat").click()
    download = download_info.value
    assert download.suggested_filename.startswith("verification-lieux-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 8
    assert rows[2]["numerique:qpv_proximity"] == "Éligible"
    bad = tmp_path / "mauvais.csv"
    bad.write_text("nom,ville\nA,Lyon\n", encoding="utf-8")
    page.get_by_label("Fichier CSV des lieux").set_input_files(str(bad))
    page.get_by_role("button", name="Vérifier et télécharger le résultat").click()
    expect(page.get_by_text("Colonnes attendues : id, puis latitude et longitude")).to_be_visible()
    axe_check("batch check form with an error")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot("batch-375px")
