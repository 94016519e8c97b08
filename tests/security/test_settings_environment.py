"""Settings the README and docs/operations.md give as environment variables are read from the environment (issue 17):
the deposit's grace period and the platform's retention periods. Each is read in a fresh interpreter, as at start;
a bad value stops the start with a French message naming the variable.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
NAMES = ("FABRIQUES_DEPOSIT_GRACE_SECONDS", "FABRIQUES_DRAFT_RETENTION_DAYS", "FABRIQUES_DRAFT_PURGE_NOTICE_DAYS",
         "FABRIQUES_UNFUNDED_RETENTION_YEARS", "FABRIQUES_FUNDED_RETENTION_YEARS")
PROGRAM = f"""
import json, django
django.setup()
from django.conf import settings
from fabriques.calls.retention import retention_for
from fabriques.calls.models import Call
from fabriques.dossiers.deposit import grace_seconds
call = Call(draft_retention_days=None, draft_notice_days=None, unfunded_retention_years=None,
            funded_retention_years=None)
r = retention_for(call)
print(json.dumps({{"settings": {{n: getattr(settings, n) for n in {NAMES!r}}}, "grace": grace_seconds(),
                  "retention": [r.draft_days, r.notice_days, r.unfunded_years, r.funded_years]}}))
"""


def _start(tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FABRIQUES_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(FABRIQUES_VAR_DIR=str(tmp_path), FABRIQUES_DEBUG="1", DJANGO_SETTINGS_MODULE="fabriques.settings",
               **variables)
    return subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", PROGRAM], env=env, cwd=PROJECT, capture_output=True, text=True, check=False,
        timeout=120)


def test_nothing_set_keeps_the_documented_defaults(tmp_path):
    result = _start(tmp_path)

    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["grace"] == 0
    assert figures["retention"] == [365, 30, 5, 10]


def test_each_variable_changes_what_the_code_reads(tmp_path):
    result = _start(
        tmp_path, FABRIQUES_DEPOSIT_GRACE_SECONDS="90", FABRIQUES_DRAFT_RETENTION_DAYS="200",
        FABRIQUES_DRAFT_PURGE_NOTICE_DAYS="14", FABRIQUES_UNFUNDED_RETENTION_YEARS="3",
        FABRIQUES_FUNDED_RETENTION_YEARS="12",
    )

    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["grace"] == 90
    assert figures["retention"] == [200, 14, 3, 12]


@pytest.mark.parametrize(("variables", "message"), [
    ({"FABRIQUES_DEPOSIT_GRACE_SECONDS": "une minute"},
     "FABRIQUES_DEPOSIT_GRACE_SECONDS : nombre entier attendu, reçu 'une minute'."),
    ({"FABRIQUES_DEPOSIT_GRACE_SECONDS": "-5"}, "FABRIQUES_DEPOSIT_GRACE_SECONDS : valeur entre 0 et 3600 attendue"),
    ({"FABRIQUES_DRAFT_RETENTION_DAYS": "7"}, "FABRIQUES_DRAFT_RETENTION_DAYS : valeur entre 30 et 3650 attendue"),
    ({"FABRIQUES_FUNDED_RETENTION_YEARS": "1.5"}, "FABRIQUES_FUNDED_RETENTION_YEARS : nombre entier attendu"),
    ({"FABRIQUES_DRAFT_RETENTION_DAYS": "60", "FABRIQUES_DRAFT_PURGE_NOTICE_DAYS": "60"},
     "FABRIQUES_DRAFT_PURGE_NOTICE_DAYS doit être inférieur à FABRIQUES_DRAFT_RETENTION_DAYS"),
])
def test_a_bad_value_stops_the_start_with_a_message_naming_the_variable(tmp_path, variables, message):
    result = _start(tmp_path, **variables)

    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" in result.stderr  # ImproperlyConfigured at import, before any request is served
