"""bandit finds nothing in our code beyond the reviewed baseline (each entry explained in docs/reliability.md)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.database_independent  # ~50 s of CPU: once per CI (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]


def test_bandit_reports_nothing_outside_the_reviewed_baseline():
    bandit = Path(sys.executable).parent / "bandit"
    result = subprocess.run(  # noqa: S603 - our own venv's bandit on our own tree
        [str(bandit), "-q", "-r", "src", "-x", "*/migrations/*", "-b", "tests/security/bandit-baseline.json",
         "-f", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    report = json.loads(result.stdout)
    new = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert new == []
