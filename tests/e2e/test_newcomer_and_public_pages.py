"""A newcomer signs up and confirms their address from the development inbox; the footer's public-service pages.

Real Chromium, axe-core, desktop and 375 px wide (no sideways scroll)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "un-mot-de-passe-solide-2019"


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


@pytest.fixture
def dev_inbox(settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "fabriques.mail.devinbox.DevInboxBackend"
    settings.FABRIQUES_DEV_INBOX_DIR = str(tmp_path / "courriels")
    settings.FABRIQUES_CONTACT_EMAIL = "aide@programme.example"
    yield tmp_path
    from django.core.cache import cache

    cache.clear()  # leave no rate limit behind for the next tests


@pytest.mark.parametrize("width", [1280, 375])
def test_a_newcomer_confirms_the_address_from_the_local_inbox_after_asking_again(
    live_server, page, call, dev_inbox, screenshot, axe_check, width
):
    from django.core.cache import cache

    cache.clear()  # allauth's rate limits live in the cache, which outlives each test
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/compte/signup/")
    page.locator("#id_email").fill("lea@exemple.fr")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()

    expect(page.get_by_role("heading", name="Confirmez votre adresse électronique")).to_be_visible()
    expect(page.get_by_role("link", name="aide@programme.example")).to_have_attribute(
        "href", "mailto:aide@programme.example")
    screenshot(f"verification-{width}")
    axe_check("verification sent")
    _no_sideways_scroll(page)

    cache.clear()  # allauth sends at most one link every three minutes
    page.get_by_label("Votre adresse électronique").fill("lea@exemple.fr")
    page.get_by_role("button", name="Renvoyer le lien de confirmation").click()
    expect(page.get_by_text("un nouveau lien vient d’y être envoyé")).to_be_visible()
    axe_check("resend")
    _no_sideways_scroll(page)

    page.get_by_role("link", name="boîte de réception locale").click()
    expect(page.get_by_role("heading", name="Courriels envoyés (développement)")).to_be_visible()
    assert page.locator("tbody tr").count() == 2  # the sign-up e-mail and the new one
    screenshot(f"inbox-{width}")
    axe_check("inbox")
    _no_sideways_scroll(page)
    page.locator("tbody tr a").first.click()
    page.locator("a[href*='/compte/confirm-email/']").first.click()
    page.get_by_role("button", name="Confirmer").click()
    page.goto(live_server.url + "/espace/")
    expect(page.get_by_role("heading", level=1, name="Mon espace")).to_be_visible()  # logged in, confirmed


@pytest.mark.parametrize("width", [1280, 375])
def test_every_public_service_page_is_reached_from_the_footer(live_server, page, call, screenshot, axe_check, width):
    page.set_viewport_size({"width": width, "height": 900})
    for link, heading in [
        ("Mentions légales", "Mentions légales"),
        ("Accessibilité : non conforme", "Déclaration d’accessibilité"),
        ("Données personnelles", "Données personnelles"),
        ("Plan du site", "Plan du site"),
        ("Contact", "Contact"),
    ]:
        page.goto(live_server.url + "/")
        page.locator("#footer").get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        axe_check(heading)
        _no_sideways_scroll(page)
        screenshot(f"{heading[:12]}-{width}")
    assert page.locator(".fr-breadcrumb a[href='/']").count() == 1  # the way back home
