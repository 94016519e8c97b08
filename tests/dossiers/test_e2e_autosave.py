"""Autosave in real Chromium: a network cut loses nothing, a concurrent save is shown, never overwritten."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fabriques.dossiers import domain, queries
from fabriques.dossiers.models import Answer
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_text_typed_offline_is_kept_retried_and_saved_then_a_conflict_is_shown(
    live_server, page, dossier, applicant, make_user, screenshot, axe_check
):
    criterion = queries.criteria_for(dossier)[0]
    log_in(page, live_server.url, applicant.email)
    page.goto(live_server.url + reverse("dossiers:answer", args=[dossier.uuid, criterion.code]))
    status = page.locator("#save-status")
    textarea = page.get_by_label("Votre réponse")
    storage_key = f"fabriques:{dossier.uuid}:answer-{criterion.code}"

    page.context.set_offline(True)
    textarea.fill("Texte tapé pendant la coupure réseau")
    expect(status).to_contain_text("Non enregistré — nouvel essai…", timeout=15000)
    assert "coupure réseau" in page.evaluate(f"window.localStorage.getItem('{storage_key}')")
    screenshot("offline")
    page.context.set_offline(False)
    expect(status).to_contain_text("Enregistré à", timeout=40000)
    assert Answer.objects.get(dossier=dossier, criterion=criterion).text == "Texte tapé pendant la coupure réseau"
    assert page.evaluate(f"window.localStorage.getItem('{storage_key}')") is None

    cowriter = make_user("co@example.org")
    domain.answer_save(dossier=dossier, criterion=criterion, text="Version du co-rédacteur", base_version=1,
                       by=cowriter)
    textarea.fill("Ma nouvelle version")
    expect(page.get_by_role("heading", name="Conflit d’enregistrement")).to_be_visible(timeout=15000)
    expect(page.locator(".fab-conflict")).to_contain_text("Version du co-rédacteur")
    expect(textarea).to_have_value("Ma nouvelle version")
    assert Answer.objects.get(dossier=dossier, criterion=criterion).text == "Version du co-rédacteur"
    screenshot("conflict")
    axe_check("conflict")

    page.get_by_role("button", name="Garder ma version").click()
    expect(page.get_by_label("Votre réponse")).to_have_value("Ma nouvelle version")
    assert Answer.objects.get(dossier=dossier, criterion=criterion).text == "Ma nouvelle version"


def test_commune_autocomplete_fills_the_list_from_the_official_communes(live_server, page, dossier, applicant):
    log_in(page, live_server.url, applicant.email)
    page.goto(live_server.url + reverse("dossiers:place", args=[dossier.uuid]))
    page.get_by_label("Commune du lieu").fill("Lyo")
    expect(page.locator("#communes-datalist option")).to_have_count(1, timeout=10000)
    assert page.locator("#communes-datalist option").first.get_attribute("value") == "69123 Lyon (69)"
    page.get_by_label("Commune du lieu").fill("69123 Lyon (69)")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le lieu : enregistré à")).to_be_visible()
    dossier.refresh_from_db()
    assert dossier.place_commune.code == "69123"


@pytest.mark.parametrize("width", [1280, 375])
def test_pasting_then_saving_at_once_never_shows_contradicting_messages(
    live_server, page, dossier, applicant, screenshot, width
):
    """Pasted text ends with spaces and line breaks (the server trims them); « Enregistrer » right after pasting."""
    criterion = queries.criteria_for(dossier)[0]
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, applicant.email)
    url = live_server.url + reverse("dossiers:answer", args=[dossier.uuid, criterion.code])
    page.goto(url)
    status = page.locator("#save-status")
    pasted = "Un tiers-lieu ouvert à tous, au cœur du bourg.  \r\n\r\n  "

    page.get_by_label("Votre réponse").fill(pasted)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # the autosave of the typing, the page's restore: whatever runs, runs now

    assert Answer.objects.get(dossier=dossier, criterion=criterion).text == pasted.strip()
    text = page.locator("main").inner_text()
    assert "Copie locale non enregistrée restaurée" not in text
    assert "Conflit d’enregistrement" not in text
    assert "Non enregistré" not in text
    page.goto(url)
    page.wait_for_timeout(800)
    assert "Copie locale non enregistrée restaurée" not in page.locator("main").inner_text()
    expect(status).not_to_contain_text("Non enregistré")
    screenshot(f"saved-at-once-{width}")
