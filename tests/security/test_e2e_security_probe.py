"""Issue 15 in Chromium, where a person meets it: the admin asks for the code after the password; a filter typed
wrong on the agents' dashboard is explained in French next to its field (axe on both)."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from fabriques.accounts.enums import Role
from tests.security.test_agent_mfa import PASSWORD, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_staff_member_opening_the_admin_types_the_password_then_the_code(
    live_server, page, make_user, call, screenshot, axe_check
):
    staff = make_user("admin-staff@example.org", call=call, role=Role.ADMIN)
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    page.goto(live_server.url + "/admin/")
    page.wait_for_url("**/compte/login/**")  # no password-only admin form
    page.get_by_label("Courriel").fill(staff.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("form [type=submit]").first.click()
    page.wait_for_url("**/compte/2fa/authenticate/")
    axe_check("code asked on the way to the admin")
    page.locator("input[name=code]").fill(totp_now(secret))
    page.get_by_role("button", name="Se connecter").click()

    page.wait_for_url("**/admin/")
    expect(page.locator("#antivirus-off")).to_be_visible()  # no clamd configured in the tests
    screenshot("admin-after-code")


def test_a_score_filter_typed_wrong_is_explained_next_to_the_field(
    live_server, page, make_user, call, screenshot, axe_check
):
    make_user("instructeur@example.org", call=call, role=Role.INSTRUCTOR)
    page.goto(live_server.url + "/compte/login/")
    page.get_by_label("Courriel").fill("instructeur@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("form [type=submit]").first.click()
    page.wait_for_url("**/espace/")

    response = page.goto(live_server.url + "/instruction/?score_min=sNaN")

    assert response.status == 400
    expect(page.locator(".fr-error-text").first).to_be_visible()
    expect(page.get_by_label("Note minimale")).to_have_value("sNaN")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("dashboard-bad-filter-375")
    axe_check("dashboard with a filter in error")
