"""In real Chromium: a network registered for Occitanie appears on the eligibility page for Toulouse, an applicant
invites it, and its member takes the invitation on and reads the dossier."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from fabriques.advice import domain
from fabriques.advice.models import Network
from tests.browser import log_in
from tests.dossiers.factories import make_commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_occitanie_network_on_the_eligibility_page_for_toulouse_receives_an_invitation(
    live_server, page, dossier, applicant, make_user, call, screenshot, axe_check
):
    base = live_server.url
    make_commune(code="31555", name="Toulouse", dep="31", region="76", lat=43.6045, lon=1.4440)
    manager = make_user("animation@tiers-lieux-occitanie.example.org")
    log_in(page, base, manager.email)
    page.goto(base + reverse("advice:network-create"))
    page.get_by_label("Nom du réseau").fill("Réseau des tiers-lieux d’Occitanie")
    page.get_by_label("Adresse de contact publique").fill("contact@tiers-lieux-occitanie.example.org")
    page.get_by_label("Occitanie").check(force=True)
    screenshot("network-form")
    axe_check("network form")
    page.get_by_role("button", name="Enregistrer le réseau").click()
    expect(page.get_by_text("sera proposé aux porteurs une fois vérifié")).to_be_visible()

    staff = get_user_model().objects.create_superuser("equipe@example.org", "motdepasse-solide-42")
    domain.network_list(network=Network.objects.get(), listed=True, by=staff)  # the admin's audited action

    track = call.tracks.get(slug="numerique")
    page.context.clear_cookies()
    page.goto(base + reverse("territory:eligibility-check") + f"?track={track.pk}&commune=31555")
    box = page.locator("#etre-accompagne")
    expect(box).to_contain_text("Réseau des tiers-lieux d’Occitanie")
    expect(box).to_contain_text("Toulouse")
    screenshot("eligibility-networks")
    axe_check("eligibility page with networks")
    box.get_by_role("link", name="Réseau des tiers-lieux d’Occitanie").click()
    expect(page.get_by_text("Territoire : Occitanie")).to_be_visible()
    axe_check("network public page")

    log_in(page, base, applicant.email)
    page.goto(base + reverse("advice:dossier", args=[dossier.uuid]))
    page.get_by_label("Ou un réseau d’accompagnement").select_option(label="Réseau des tiers-lieux d’Occitanie")
    page.get_by_role("button", name="Inviter").click()
    expect(page.get_by_text("Invitation envoyée à Réseau des tiers-lieux d’Occitanie")).to_be_visible()

    log_in(page, base, manager.email)
    page.goto(base + reverse("advice:mine"))
    page.get_by_role("link", name="Réseau des tiers-lieux d’Occitanie").click()
    table = page.locator("table")
    expect(table).to_contain_text(dossier.reference)
    expect(table).to_contain_text("Brouillon")
    screenshot("network-dossiers")
    axe_check("network dossiers")
    page.get_by_role("button", name=f"Accepter l’invitation du dossier {dossier.reference}").click()
    expect(page.get_by_role("heading", name=f"Relecture du dossier {dossier.reference}")).to_be_visible()
    expect(page.get_by_text("pour le réseau Réseau des tiers-lieux d’Occitanie")).to_be_visible()
