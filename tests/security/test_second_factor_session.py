"""One place decides that a session passed its second factor, whatever the way in (issue 15, point 1).

The probe: a staff account holding a TOTP logged in at /admin/login/ with its password only, then opened
/instruction/ and the committee pages. Now the admin's form sends to allauth's log-in, and a session that skipped a
factor its account holds is logged out on its next request, whatever FABRIQUES_REQUIRE_AGENT_MFA says.
"""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.urls import reverse

from fabriques.accounts.enums import Role
from tests.security.test_agent_mfa import PASSWORD, totp_now


@pytest.fixture(autouse=True)
def _forget_used_codes():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_with_totp(make_user, call):
    user = make_user("agent-staff@example.org", call=call, role=Role.ADMIN)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def _is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("required", [True, False])
def test_the_admin_login_form_does_not_log_in_with_a_password(client, staff_with_totp, settings, required):
    settings.FABRIQUES_REQUIRE_AGENT_MFA = required
    user, _ = staff_with_totp

    response = client.post(reverse("admin_login") + "?next=/admin/", {"username": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"
    assert not _is_logged_in(client)
    assert client.get("/instruction/").status_code == 302
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("required", [True, False])
@pytest.mark.parametrize("path", ["/instruction/", "/espace/", "/admin/", "/espace/jetons/", "/compte/2fa/"])
def test_a_password_only_session_of_an_account_with_totp_is_logged_out(client, staff_with_totp, settings,
                                                                       required, path):
    """`Client.login` goes through django.contrib.auth.login with the password, as the admin's form did."""
    settings.FABRIQUES_REQUIRE_AGENT_MFA = required
    user, _ = staff_with_totp
    assert client.login(username=user.email, password=PASSWORD)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert not _is_logged_in(client)


def test_a_password_only_session_cannot_remove_the_factor(client, staff_with_totp):
    """The MFA pages are no way around: re-authenticating with the password to deactivate TOTP is refused too."""
    user, _ = staff_with_totp
    assert client.login(username=user.email, password=PASSWORD)

    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    assert response.status_code == 302
    assert not _is_logged_in(client)


def test_an_api_call_with_a_password_only_session_gets_a_json_401(client, staff_with_totp):
    user, _ = staff_with_totp
    assert client.login(username=user.email, password=PASSWORD)

    response = client.get("/api/v1/calls")

    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_required"


@pytest.mark.mfa
def test_the_password_then_the_code_opens_instruction_and_the_admin(client, staff_with_totp):
    user, secret = staff_with_totp
    response = client.post(reverse("account_login") + "?next=/admin/", {"login": user.email, "password": PASSWORD})
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert not _is_logged_in(client)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/instruction/").status_code == 200
    assert _is_logged_in(client)


def test_an_account_without_totp_keeps_working_when_the_requirement_is_off(client, make_user, call):
    """The demo (`make run`) turns the requirement off: agents without a factor still get in."""
    agent = make_user("sans-totp@example.org", call=call, role=Role.INSTRUCTOR)
    assert client.login(username=agent.email, password=PASSWORD)

    assert client.get("/instruction/").status_code == 200
