"""Crash safety, small: bench/crash_safety.py with a few clients against a real gunicorn, SIGKILLed mid-rush.

The script builds its own throwaway base (SQLite in a temporary folder; with DATABASE_URL set, a PostgreSQL
database of its own next to the suite's), so it runs in a process of its own, not in the test database.
About a minute on 2 shared cores: marked slow.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "crash_safety.py"


def _own_database_url() -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return []
    parts = urlsplit(url)
    return ["--database-url", urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_crashtest"))]


@pytest.mark.slow
def test_server_killed_mid_rush_loses_no_acknowledged_deposit_and_leaves_no_half_deposit(tmp_path):
    out = tmp_path / "summary.json"
    done = subprocess.run(  # noqa: S603 - our own script, arguments from this test
        [sys.executable, str(SCRIPT), "--clients", "40", "--kills", "1", "--kill-after-min", "0.2",
         "--kill-after-max", "1.0", "--concurrency", "20", "--seed", "7", "--var-dir", str(tmp_path / "var"),
         "--json-out", str(out), "--quiet", *_own_database_url()],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    s = json.loads(out.read_text(encoding="utf-8"))

    assert s["kills_mid_rush"] == 1
    assert s["kills"][0]["processes"] == 3  # the gunicorn master and its 2 workers, in one SIGKILL
    assert s["connection_errors"] > 0  # the kill cut requests, which were retried
    assert s["deposits_acknowledged"] == 40 + s["behaviours"].get("redeposit", 0)
    assert s["deposits_found"] == s["deposits_acknowledged"]
    assert s["versions_found"] == s["deposits_acknowledged"]
    assert s["lost"] == []
    assert s["incomplete"] == []
    assert s["bad_fingerprint"] == []
    assert s["duplicates"] == []
    assert s["half_deposits"] == []
    assert s["server_errors"] == 0
    assert s["gave_up"] == []
    assert s["audit_chain"].startswith("ok: ")
