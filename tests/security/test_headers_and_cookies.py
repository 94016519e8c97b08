"""Security headers on every public page, production cookie flags, CSRF on POST, session expiry, check --deploy."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

PROJECT = Path(__file__).resolve().parents[2]
PASSWORD = "motdepasse-solide-42"


def _production_env(tmp_path) -> dict:
    # conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright: production never has it.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FABRIQUES_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        FABRIQUES_DEBUG="0",
        FABRIQUES_SECRET_KEY=secrets.token_urlsafe(50),
        FABRIQUES_ALLOWED_HOSTS="fabriques.example.gouv.fr",
        FABRIQUES_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="fabriques.settings",
    )
    return env


PRODUCTION_KEYS = [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS", "SESSION_COOKIE_AGE", "FABRIQUES_REQUIRE_AGENT_MFA", "AXES_FAILURE_LIMIT",
]


@pytest.fixture(scope="module")
def production_settings(tmp_path_factory) -> dict:
    """The settings module as loaded in production (FABRIQUES_DEBUG=0), read in a fresh interpreter."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{k: getattr(settings, k) for k in {PRODUCTION_KEYS!r}}}))"
    )
    result = subprocess.run(  # noqa: S603 - fixed command, our own interpreter
        [sys.executable, "-c", code], env=_production_env(tmp_path_factory.mktemp("prod")),
        cwd=PROJECT, capture_output=True, text=True, check=True, timeout=120,
    )
    return json.loads(result.stdout)


@pytest.fixture
def public_urls(call):
    return [
        reverse("calls:home"),
        reverse("calls:detail", args=[call.slug]),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        "/api/v1/openapi.json",
        "/api/v1/calls",
    ]


def _directive(policy: str, name: str) -> list[str]:
    for part in policy.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    raise AssertionError(f"{name} missing from CSP: {policy}")


def test_every_public_page_sends_the_security_headers(client, public_urls):
    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        for directive in ("script-src", "style-src"):
            sources = _directive(policy, directive)
            assert "'unsafe-inline'" not in sources, (url, directive)
            assert "'unsafe-eval'" not in sources, (url, directive)
        assert _directive(policy, "default-src") == ["'self'"]
        assert _directive(policy, "frame-ancestors") == ["'none'"]
        assert _directive(policy, "object-src") == ["'none'"]
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Content-Type-Options"] == "nosniff", url


def test_production_settings_turn_on_hsts_secure_cookies_and_mfa(production_settings):
    assert production_settings == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_COOKIE_AGE": 8 * 3600,
        "FABRIQUES_REQUIRE_AGENT_MFA": True,
        "AXES_FAILURE_LIMIT": 5,
    }


@pytest.fixture
def as_in_production(settings, production_settings):
    for key, value in production_settings.items():
        setattr(settings, key, value)
    settings.FABRIQUES_REQUIRE_AGENT_MFA = False  # the log-in below is an applicant's; agents are tested elsewhere
    return settings


def test_in_production_http_is_redirected_to_https(as_in_production):
    response = Client().get(reverse("calls:home"))

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def test_in_production_https_pages_send_hsts_and_cookies_are_secure(as_in_production, make_user):
    make_user("porteur@example.org")
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(reverse("account_login"), secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    token = page.cookies["csrftoken"]
    assert token["secure"] is True
    assert token["httponly"] is True
    assert token["samesite"] == "Lax"

    response = browser.post(
        reverse("account_login"), {"login": "porteur@example.org", "password": PASSWORD, "remember": "on"},
        secure=True, headers={"X-CSRFToken": token.value, "Referer": "https://testserver/compte/login/"},
    )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert session["max-age"] == 8 * 3600


def test_a_post_without_csrf_token_is_refused_and_nobody_is_logged_in(make_user):
    make_user("porteur@example.org")
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(reverse("account_login"), {"login": "porteur@example.org", "password": PASSWORD})

    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session


def test_a_post_with_a_forged_csrf_token_is_refused_on_agent_pages(make_user, call):
    from fabriques.accounts.enums import Role
    from fabriques.accounts.models import Invitation

    admin = make_user("admin@example.org", call=call, role=Role.ADMIN)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)

    response = browser.post(
        reverse("accounts:invite", args=[call.slug]),
        {"email": "agent@example.org", "role": Role.INSTRUCTOR, "csrfmiddlewaretoken": "x" * 64},
    )

    assert response.status_code == 403
    assert Invitation.objects.count() == 0


def test_without_remember_me_the_session_ends_with_the_browser_and_after_8_hours_anyway(client, make_user):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    make_user("porteur@example.org")
    response = client.post(reverse("account_login"), {"login": "porteur@example.org", "password": PASSWORD})

    assert response.cookies["sessionid"]["max-age"] == ""  # a browser-session cookie
    assert client.session.get_expire_at_browser_close() is True
    stored = Session.objects.get(session_key=client.session.session_key)
    remaining = (stored.expire_date - timezone.now()).total_seconds()
    assert 8 * 3600 - 60 < remaining <= 8 * 3600


def test_check_deploy_reports_no_issue_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "fabriques", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path), cwd=PROJECT, capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
