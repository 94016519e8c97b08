"""Second factor: agents must activate an authenticator app (TOTP) before using the platform."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core.cache import cache
from django.urls import reverse

from fabriques.accounts.enums import Role

pytestmark = pytest.mark.mfa

PASSWORD = "motdepasse-solide-42"
PERIOD = 30


def totp_now(secret: str) -> str:
    """RFC 6238 code for the current 30-second window (waits if the window is about to end)."""
    if PERIOD - time.time() % PERIOD < 2:
        time.sleep(2.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // PERIOD))


@pytest.fixture(autouse=True)
def _forget_used_codes():
    cache.clear()  # allauth remembers used codes in the cache; user ids repeat between tests
    yield
    cache.clear()


@pytest.fixture
def instructor(make_user, call):
    return make_user("instructrice@example.org", call=call, role=Role.INSTRUCTOR)


def _password_login(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def _open_activation_page(client, email):
    """Log in, then confirm the password again: allauth asks it before any change of factor."""
    _password_login(client, email)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    return client.get(reverse("mfa_activate_totp"))


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.EVALUATOR, Role.COMMITTEE, Role.ADMIN])
def test_an_agent_without_totp_is_sent_to_the_activation_page(client, make_user, call, role):
    agent = make_user(f"{role}@example.org", call=call, role=role)
    client.force_login(agent)

    for url in [reverse("accounts:dashboard"), reverse("calls:home"), reverse("calls:detail", args=[call.slug])]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_without_totp_is_sent_to_the_activation_page(client, make_user):
    staff = make_user("staff@example.org")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_an_applicant_is_not_forced(client, make_user):
    client.force_login(make_user("porteur@example.org"))

    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_an_agent_can_still_log_out_and_reach_the_mfa_pages(client, instructor):
    client.force_login(instructor)

    assert client.get(reverse("mfa_index")).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_setting_turns_enforcement_off(client, instructor, settings):
    settings.FABRIQUES_REQUIRE_AGENT_MFA = False
    client.force_login(instructor)

    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_activating_totp_with_a_wrong_code_is_refused_in_french(client, instructor):
    page = _open_activation_page(client, instructor.email)
    assert page.status_code == 200

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})

    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert not Authenticator.objects.filter(user=instructor).exists()


def test_activating_totp_lets_the_agent_in_and_the_next_login_asks_for_the_code(client, instructor):
    page = _open_activation_page(client, instructor.email)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    secret = client.session[SECRET_SESSION_KEY]

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=instructor, type=Authenticator.Type.TOTP).count() == 1
    assert Authenticator.objects.filter(user=instructor, type=Authenticator.Type.RECOVERY_CODES).count() == 1
    assert client.get(reverse("accounts:dashboard")).status_code == 200

    # Next log-in: the password alone is not enough.
    client.post(reverse("account_logout"))
    response = _password_login(client, instructor.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.post(reverse("mfa_authenticate"), {"code": "123456"}).status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.session["_auth_user_id"] == str(instructor.pk)
    assert client.get(reverse("accounts:dashboard")).status_code == 200
