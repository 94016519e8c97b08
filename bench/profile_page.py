"""Profile one page in-process on a generated base: SQL statements with their time, then a pyinstrument profile.

    .venv/bin/python bench/profile_page.py --var-dir /tmp/fabriques-perf-20k --as admin "/instruction/?sort=-score"
    .venv/bin/python bench/profile_page.py --as evaluator "/evaluation/affectations/{assignment}/grille/"
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_in_process(var_dir: str, database_url: str | None, **extra: str) -> None:
    """Django with production settings (DEBUG off) on a generated base, for a test client in this process."""
    os.environ.update(FABRIQUES_DEBUG="0", FABRIQUES_VAR_DIR=var_dir, FABRIQUES_REQUIRE_AGENT_MFA="0",
                      FABRIQUES_SSL_REDIRECT="0", FABRIQUES_ALLOWED_HOSTS="testserver",
                      FABRIQUES_SECRET_KEY="bench-only-secret-key-not-for-production-0123456789",  # noqa: S106 - bench
                      DJANGO_SETTINGS_MODULE="fabriques.settings", **extra)
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _body(response) -> bytes:
    """The whole body, a streamed one (« Tous » pages) read to its end as a browser would."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path")
    parser.add_argument("--as", dest="who", choices=["admin", "instructor", "evaluator", "applicant"], default="admin")
    parser.add_argument("--var-dir", default="/tmp/fabriques-perf")  # noqa: S108 - throwaway benchmark data
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--deposit", action="store_true", help="profile POSTs of the deposit form at PATH")
    parser.add_argument("--sql", type=int, default=12, help="show the N slowest statements")
    args = parser.parse_args()
    setup_in_process(args.var_dir, args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    data = json.loads(Path(args.var_dir, "sessions.json").read_text())
    session = {"admin": data["admin"], "instructor": data["instructors"][0],
               "evaluator": data["evaluators"][0]["session"], "applicant": data["applicants"][0]["session"]}[args.who]
    path = args.path.format(assignment=data["evaluators"][0]["assignments"][0][0],
                            dossier=data["applicants"][0]["dossier"])
    client = Client()
    client.cookies["sessionid"] = session
    response = client.get(path)  # warm-up (imports, templates, connection)
    print(f"GET {path} as {args.who}: status {response.status_code}, {len(_body(response)):,} bytes")
    walls, cpus = [], []
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        _body(client.get(path))
        walls.append(1000 * (time.perf_counter() - started))
        cpus.append(1000 * (time.process_time() - cpu))
    print(f"{args.repeat} requests: wall median {sorted(walls)[len(walls) // 2]:.0f} ms (min {min(walls):.0f}), "
          f"CPU median {sorted(cpus)[len(cpus) // 2]:.0f} ms (min {min(cpus):.0f})")
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        _body(client.get(path))
        print(f"one request: {1000 * (time.perf_counter() - started):.1f} ms, {len(queries)} SQL statements")
    for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:args.sql]:
        print(f"  {1000 * float(q['time']):8.1f} ms  {q['sql'][:600]}")
    profiler = Profiler(interval=0.001)
    profiler.start()
    for i in range(args.repeat):
        if args.deposit:  # the deposit page gives a signed single-use key; POST it (one more version each time)
            key = re.search(r'name="submission_key" value="([^"]+)"', client.get(path).content.decode()).group(1)
            started, cpu = time.perf_counter(), time.process_time()
            response = client.post(path, {"submission_key": key})
            print(f"deposit {i}: status {response.status_code}, {1000 * (time.perf_counter() - started):.0f} ms wall, "
                  f"{1000 * (time.process_time() - cpu):.0f} ms CPU")
        else:
            _body(client.get(path))
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
