"""Throttling whatever the address, shared by every app server (issue 15, point 9).

The probe: the lockout was per account *and* address, so guesses spread over addresses were not limited per account;
allauth's rate limits lived in each process's memory.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

EMAIL = "porteuse@example.org"
PASSWORD = "motdepasse-solide-42"
DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                              "LOCATION": "fabriques_cache"}}


def _login(client, password, *, address):
    return client.post(reverse("account_login"), {"login": EMAIL, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def applicant(make_user):
    return make_user(EMAIL)


def test_guesses_spread_over_addresses_lock_the_account_for_everyone(client, applicant):
    limit = settings.FABRIQUES_LOGIN_ACCOUNT_FAILURE_LIMIT
    for n in range(limit - 1):
        assert _login(client, "mauvais-mot-de-passe", address=f"203.0.113.{n + 1}").status_code == 200
    assert _login(client, "mauvais-mot-de-passe", address="203.0.113.200").status_code == 429  # the limit-th

    response = _login(client, PASSWORD, address="198.51.100.7")

    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_below_the_account_limit_the_person_still_logs_in_from_elsewhere(client, applicant):
    for n in range(settings.FABRIQUES_LOGIN_ACCOUNT_FAILURE_LIMIT - 1):
        _login(client, "mauvais-mot-de-passe", address=f"203.0.113.{n + 1}")

    response = _login(client, PASSWORD, address="198.51.100.7")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(applicant.pk)
    assert AccessAttempt.objects.count() == 0  # success resets the account's counters too


def test_one_address_is_still_locked_after_five_failures(client, applicant):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "mauvais-mot-de-passe", address="192.0.2.10")

    assert _login(client, PASSWORD, address="192.0.2.10").status_code == 429
    assert _login(client, PASSWORD, address="198.51.100.7").status_code == 302


def test_the_production_cache_is_the_database():
    env = {k: v for k, v in os.environ.items() if not k.startswith("FABRIQUES_")}
    env.update(FABRIQUES_DEBUG="0", FABRIQUES_SECRET_KEY="k" * 50, DJANGO_SETTINGS_MODULE="fabriques.settings")
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=env, cwd=Path(__file__).resolve().parents[2],
        capture_output=True, text=True, check=True, timeout=120,
    )

    assert result.stdout.strip() == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.django_db
def test_allauths_rate_limits_are_shared_between_servers_through_the_database_cache(client, applicant, settings):
    """Five password-reset e-mails a minute per address: a second server (a new cache handler) sees the same count."""
    settings.CACHES = DATABASE_CACHE
    call_command("createcachetable", verbosity=0)
    url = reverse("account_reset_password")
    statuses = [client.post(url, {"email": EMAIL}).status_code for _ in range(5)]
    assert 429 not in statuses

    settings.CACHES = {"default": dict(DATABASE_CACHE["default"])}  # a new handler: another process, same table
    refused = client.post(url, {"email": EMAIL})

    assert refused.status_code == 429
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM fabriques_cache")
        assert cursor.fetchone()[0] > 0  # the counters are rows every server reads
