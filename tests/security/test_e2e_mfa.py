"""An instructor's first log-in in Chromium: forced TOTP activation, then the code at the next log-in (axe)."""

import pytest
from playwright.sync_api import expect

from fabriques.accounts.enums import Role
from tests.security.test_agent_mfa import PASSWORD, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.mfa, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, email, password=PASSWORD):
    page.goto(live_server.url + "/compte/login/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.locator("form [type=submit]").first.click()


def test_an_instructor_must_activate_totp_then_logs_in_with_a_code(
    live_server, page, make_user, call, screenshot, axe_check
):
    make_user("instructrice@example.org", call=call, role=Role.INSTRUCTOR)

    _log_in(page, live_server, "instructrice@example.org")
    page.goto(live_server.url + "/espace/")
    page.wait_for_url("**/compte/reauthenticate/**")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url("**/compte/2fa/totp/activate/")
    expect(page.get_by_role("heading", name="Activer l’application d’authentification")).to_be_visible()
    screenshot("activate")
    axe_check("TOTP activation")

    secret = page.locator("#authenticator_secret").inner_text().strip()
    page.locator("input[name=code]").fill("000000")
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text("Code incorrect")).to_be_visible()
    axe_check("TOTP activation with an error")
    page.locator("input[name=code]").fill(totp_now(secret))
    page.get_by_role("button", name="Activer").click()
    page.wait_for_url("**/compte/2fa/recovery-codes/")
    expect(page.locator(".fab-recovery-codes li")).to_have_count(10)
    screenshot("recovery-codes")
    axe_check("recovery codes")
    page.goto(live_server.url + "/compte/2fa/")
    axe_check("MFA index")

    page.goto(live_server.url + "/espace/")
    expect(page.get_by_role("heading", name="Mon espace")).to_be_visible()

    page.context.clear_cookies()
    _log_in(page, live_server, "instructrice@example.org")
    page.wait_for_url("**/compte/2fa/authenticate/")
    screenshot("code-at-login")
    axe_check("code at log-in")
    page.locator("input[name=code]").fill(totp_now(secret))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace/")


def test_the_lockout_page_is_accessible(live_server, page, make_user, settings, screenshot, axe_check):
    make_user("porteuse@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(page, live_server, "porteuse@example.org", "mauvais-mot-de-passe")

    expect(page.get_by_role("heading", name="Connexion temporairement bloquée")).to_be_visible()
    screenshot("lockout")
    axe_check("lockout page")
