"""A visitor discovers the call before creating an account (real Chromium, axe-core)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_reads_home_then_call_page_with_both_tracks_and_twelve_criteria(
    live_server, page, open_wave, screenshot, axe_check
):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Candidater à l’AMI Tiers-lieux"
    screenshot("home")
    axe_check("home")

    page.get_by_role("link", name="Appel à manifestation d’intérêt « Fabriques de territoire »").click()
    page.wait_for_url("**/appels/ami-tiers-lieux-2019/")

    assert page.get_by_role("heading", name="Fabrique numérique de territoire").is_visible()
    assert page.get_by_role("heading", name="Fabrique de territoire", exact=True).is_visible()
    assert page.locator(".fr-accordion__btn").count() == 12
    page.get_by_role("button", name="12. Partage et mise en commun des ressources").click()
    expect(page.get_by_text("Forum des Communs")).to_be_visible()
    screenshot("call")
    axe_check("call page")


def test_login_and_signup_pages_are_accessible(live_server, page, call, screenshot, axe_check):
    page.goto(live_server.url + "/compte/login/")
    expect(page.get_by_label("Courriel")).to_be_visible()
    screenshot("login")
    axe_check("login")
    page.goto(live_server.url + "/compte/signup/")
    screenshot("signup")
    axe_check("signup")


def test_a_lost_visitor_gets_the_french_404_page_in_the_sites_layout(live_server, page, call, screenshot, axe_check):
    response = page.goto(live_server.url + "/nulle-part/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    page.get_by_role("link", name="Page d’accueil").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/nulle-part/")
    screenshot("404")
    axe_check("404")
