"""Production-safe defaults (issue 15, point 3): DEBUG off unless asked, no secret key outside DEBUG, and the
antivirus state shown when no scanner is configured.

The settings are read in a fresh interpreter with none of the FABRIQUES_ variables the tests set.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    applicant,
    commune,
    complete_dossier,
    deposited_dossier,
    dossier,
    media_root,
    organisation,
    track,
)

PROJECT = Path(__file__).resolve().parents[2]


def _settings_in_fresh_interpreter(tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FABRIQUES_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(FABRIQUES_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="fabriques.settings", **variables)
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG)"],
        env=env, cwd=PROJECT, capture_output=True, text=True, check=False, timeout=120,
    )


def test_nothing_set_means_production_which_refuses_to_start_without_a_secret_key(tmp_path):
    result = _settings_in_fresh_interpreter(tmp_path)

    assert result.returncode != 0
    assert "FABRIQUES_SECRET_KEY must be set" in result.stderr


def test_a_secret_key_alone_gives_debug_off(tmp_path):
    result = _settings_in_fresh_interpreter(tmp_path, FABRIQUES_SECRET_KEY="k" * 50)

    assert (result.returncode, result.stdout.strip()) == (0, "False")


def test_the_public_development_key_is_refused_outside_debug(tmp_path):
    """A deposit key or session signed with the published development key must not be accepted in production."""
    result = _settings_in_fresh_interpreter(tmp_path, FABRIQUES_SECRET_KEY="dev-only-insecure-key-change-me")

    assert result.returncode != 0
    assert "FABRIQUES_SECRET_KEY must be set" in result.stderr


def test_debug_is_on_only_when_asked(tmp_path):
    result = _settings_in_fresh_interpreter(tmp_path, FABRIQUES_DEBUG="1")

    assert (result.returncode, result.stdout.strip()) == (0, "True")


@pytest.fixture
def superuser(make_user):
    user = make_user("super@example.org")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def test_the_admin_home_warns_when_no_antivirus_scans_uploads(client, superuser, settings):
    settings.FABRIQUES_CLAMD = ""
    client.force_login(superuser)

    page = client.get(reverse("admin:index")).content.decode()

    assert 'id="antivirus-off"' in page
    assert "Antivirus désactivé" in page


def test_the_admin_home_says_nothing_when_a_scanner_is_configured(client, superuser, settings):
    settings.FABRIQUES_CLAMD = "unix:/run/clamav/clamd.ctl"
    client.force_login(superuser)

    page = client.get(reverse("admin:index")).content.decode()

    assert "antivirus-off" not in page


@pytest.mark.parametrize(("clamd", "shown"), [("", True), ("tcp:127.0.0.1:3310", False)])
def test_agents_read_on_the_dossier_page_that_files_are_not_scanned(client, admin_user, deposited_dossier,  # noqa: F811
                                                                    settings, clamd, shown):
    settings.FABRIQUES_CLAMD = clamd
    client.force_login(admin_user)

    page = client.get(reverse("instruction:dossier", args=[deposited_dossier.uuid])).content.decode()

    assert ("Aucun antivirus n’analyse les fichiers envoyés" in page) is shown
