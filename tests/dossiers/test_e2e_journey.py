"""A new applicant, from sign-up to proof of deposit, in real Chromium; axe-core on every page type."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from fabriques.dossiers.models import Dossier, DossierVersion
from tests.dossiers.factories import VALID_SIRET, make_commune, small_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Une-phrase-de-passe-solide-2026"


def _sign_up(page, base, email):
    page.goto(base + "/compte/signup/")
    page.get_by_label("Courriel").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    path = re.search(r"(/compte/confirm-email/\S+)", mail.outbox[-1].body).group(1)
    page.goto(base + path)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/espace/")


def _menu(page, name):
    page.locator("#sidemenu-wrapper").get_by_role("link", name=name, exact=True).click()


def _fill_place(page, screenshot, axe_check, first: bool):
    _menu(page, "Le lieu")
    page.get_by_label("Nom du lieu").fill("La Fabrique des Pentes")
    page.get_by_label("Nature du lieu").select_option("existing")
    page.get_by_label("Adresse du lieu").fill("12 rue des Tables Claudiennes")
    page.get_by_label("Commune du lieu").fill("69123")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le lieu : enregistré à")).to_be_visible()
    if first:
        screenshot("place")
        axe_check("place")


def _fill_answers(page, screenshot, axe_check, first: bool):
    criteria = page.locator(".fr-sidemenu__link", has_text=re.compile(r"^\d+\. "))
    count = criteria.count()
    assert count == 12
    for index in range(count):
        page.locator(".fr-sidemenu__link", has_text=re.compile(r"^\d+\. ")).nth(index).click()
        textarea = page.get_by_label("Votre réponse")
        text = f"Réponse {index + 1} : nos usagers, nos partenaires et des exemples concrets."
        if index == 0:
            textarea.fill(text)  # autosave through htmx, no button
            expect(page.locator("#save-status")).to_contain_text("Enregistré à", timeout=10000)
            expect(page.locator("#counter")).to_contain_text(f"{len(text)} / ")
            if first:
                screenshot("answer-autosaved")
                axe_check("answer")
        else:
            textarea.fill(text)
            page.get_by_role("button", name="Enregistrer").click()
            expect(page.get_by_text("enregistré à")).to_be_visible()


def _fill_budget(page, screenshot, axe_check, first: bool):
    _menu(page, "Budget")
    for year in (1, 2, 3):
        page.locator(f"#id_y{year}_personnel").fill("100000")
        page.locator(f"#id_y{year}_etat").fill("50000")
        page.locator(f"#id_y{year}_propres").fill("30000")
    page.locator("#id_cof1_name").fill("Région Auvergne-Rhône-Alpes")
    for year in (1, 2, 3):
        page.locator(f"#id_cof1_y{year}").fill("20000")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le budget est équilibré et respecte les montants de l’entrée.")).to_be_visible()
    if first:
        screenshot("budget")
        axe_check("budget")


def _send(page, code):
    form = page.locator(f"#file-{code}").locator("xpath=ancestor::form")
    form.get_by_role("button", name="Envoyer le fichier").click()


def _upload(page, screenshot, axe_check, first: bool):
    _menu(page, "Pièces jointes")
    if first:
        page.locator("#file-statuts").set_input_files(
            files=[{"name": "statuts.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" * 64}]
        )
        _send(page, "statuts")
        expect(page.get_by_text("ne correspond pas à un format accepté (PDF)")).to_be_visible()
        screenshot("attachment-refused")
        axe_check("attachments with error")
    for code in ("statuts", "budget-previsionnel", "lettres-soutien", "rib"):
        page.locator(f"#file-{code}").set_input_files(
            files=[{"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": small_pdf(code)}]
        )
        _send(page, code)
        expect(page.get_by_text("fichier ajouté")).to_be_visible()
    if first:
        screenshot("attachments")
        axe_check("attachments")


def _check_and_deposit(page, screenshot, axe_check, first: bool):
    _menu(page, "Vérification avant dépôt")
    expect(page.get_by_role("heading", name="Le dossier est complet")).to_be_visible()
    selects = page.locator("select[name^=c]")
    for index in range(selects.count()):
        selects.nth(index).select_option(str(index % 5))
    page.get_by_role("button", name="Enregistrer l’auto-évaluation").click()
    expect(page.get_by_text("Auto-évaluation enregistrée.")).to_be_visible()
    expect(page.locator("svg.fab-chart rect")).to_have_count(12)
    if first:
        screenshot("selfcheck")
        axe_check("selfcheck")

    _menu(page, "Dépôt")
    if first:
        axe_check("deposit")
    questions = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.get_by_role("button", name="Déposer le dossier").dblclick()
    expect(page.get_by_text("Dossier déposé le")).to_be_visible(timeout=30000)
    assert questions  # asked before depositing
    assert questions[0].startswith("Déposer le dossier maintenant ?")
    page.remove_listener("dialog", accept)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l’attestation (PDF) — version 1").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    if first:
        screenshot("deposited")
        axe_check("deposited")


def test_new_applicant_signs_up_and_deposits_one_dossier_per_track(
    live_server, page, open_wave, settings, screenshot, axe_check, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_commune()
    base = live_server.url
    _sign_up(page, base, "nouvelle@example.org")

    page.get_by_role("link", name="Créer un dossier").first.click()
    expect(page.get_by_role("heading", name="Déclarer l’organisation qui porte le projet")).to_be_visible()
    page.get_by_label("Raison sociale").fill("Association Les Pentes")
    page.get_by_label("Forme juridique").select_option("association")
    page.get_by_label("SIRET").fill("732 829 320 00075")
    page.get_by_label("Adresse du siège").fill("1 place Sathonay")
    page.get_by_label("Commune du siège").fill("69123")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("sa clé de contrôle ne correspond pas")).to_be_visible()
    screenshot("organisation-bad-siret")
    axe_check("organisation with error")
    page.get_by_label("SIRET").fill(VALID_SIRET)
    page.get_by_role("button", name="Enregistrer").click()

    for index, track in enumerate(("Fabrique numérique de territoire", "Fabrique de territoire")):
        if index:
            page.goto(base + "/dossiers/nouveau/")
        expect(page.get_by_role("heading", name="Créer un dossier")).to_be_visible()
        page.get_by_label("Entrée").select_option(label=track)
        if index == 0:
            screenshot("create")
            axe_check("create")
        page.get_by_role("button", name="Créer le dossier").click()
        expect(page.get_by_text("État : Brouillon")).to_be_visible()
        if index == 0:
            screenshot("detail")
            axe_check("detail")
        for step in (_fill_place, _fill_answers, _fill_budget, _upload, _check_and_deposit):
            step(page, screenshot, axe_check, first=index == 0)

    page.goto(base + "/espace/")
    expect(page.locator("table").first).to_contain_text("Déposé")
    screenshot("dashboard")
    axe_check("dashboard")
    assert Dossier.objects.filter(state="deposited").count() == 2
    assert DossierVersion.objects.count() == 2
    assert sorted(Dossier.objects.values_list("track__slug", flat=True)) == ["numerique", "territoire"]
