"""Log-in throttling: an account is locked for one address after N wrong passwords, then freed after cool-off."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

EMAIL = "porteuse@example.org"
PASSWORD = "motdepasse-solide-42"


def _login(client, password, *, address="192.0.2.10"):
    return client.post(reverse("account_login"), {"login": EMAIL, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def applicant(make_user):
    return make_user(EMAIL)


def test_wrong_passwords_below_the_limit_show_the_form_error(client, applicant):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "mauvais-mot-de-passe")
        assert response.status_code == 200
        assert "L’adresse e-mail ou le mot de passe sont incorrects." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_after_the_limit_even_the_right_password_is_refused_with_a_french_page(client, applicant):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "mauvais-mot-de-passe")

    response = _login(client, PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Connexion temporairement bloquée" in page
    assert f"Après {settings.AXES_FAILURE_LIMIT} mots de passe erronés" in page
    assert "pendant 15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_account_and_address(client, applicant):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "mauvais-mot-de-passe")

    response = _login(client, PASSWORD, address="198.51.100.7")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(applicant.pk)


def test_after_the_cool_off_the_right_password_works_again(client, applicant):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "mauvais-mot-de-passe")
    assert _login(client, PASSWORD).status_code == 429
    # Time passes: the failures are now older than the cool-off period.
    past = AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)

    response = _login(client, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.session["_auth_user_id"] == str(applicant.pk)
    assert AccessAttempt.objects.count() == 0  # a successful log-in resets the counter
