"""CPU and SQL statements of one deposit (GET of the deposit page + POST of its signed key), in-process.

Each of `--applicants` applicants of a generated base deposits their own draft once (a new version if it
was deposited before); one test client for all (its middleware is built once, as in a worker). Reports the
median CPU time of the page and of the POST, and their SQL statement counts; then the floor: a 404 page
and the applicant's space, which pay the same middleware, session and layout.

    .venv/bin/python bench/deposit_cost.py --var-dir /tmp/fabriques-perf-20k --applicants 60
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

from profile_page import setup_in_process

KEY = re.compile(r'name="submission_key" value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--var-dir", default="/tmp/fabriques-perf-20k")  # noqa: S108 - throwaway benchmark data
    parser.add_argument("--database-url")
    parser.add_argument("--applicants", type=int, default=60)
    args = parser.parse_args()
    setup_in_process(args.var_dir, args.database_url, FABRIQUES_DEPOSIT_PROOF_EMAIL="0")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # measured, not printed
    applicants = json.loads(Path(args.var_dir, "sessions.json").read_text())["applicants"]
    client = Client()

    def deposit(me) -> tuple[float, float, int, int]:
        client.cookies["sessionid"] = me["session"]
        path = f"/dossiers/{me['dossier']}/depot/"
        with CaptureQueriesContext(connection) as page_sql:
            cpu = time.process_time()
            page = client.get(path)
            page_cpu = time.process_time() - cpu
        key = KEY.search(page.content.decode()).group(1)
        with CaptureQueriesContext(connection) as post_sql:
            cpu = time.process_time()
            response = client.post(path, {"submission_key": key})
            post_cpu = time.process_time() - cpu
        assert response.status_code == 302, response.status_code
        return 1000 * page_cpu, 1000 * post_cpu, len(page_sql), len(post_sql)

    for me in applicants[:3]:  # warm-up: imports, templates, the track definition
        deposit(me)
    rows = [deposit(me) for me in applicants[3:3 + args.applicants]]

    def floor(path: str) -> float:
        client.get(path)
        cpu = time.process_time()
        for _ in range(30):
            client.get(path)
        return 1000 * (time.process_time() - cpu) / 30

    print(f"{connection.vendor}, {len(rows)} applicants, each depositing their own dossier once")
    print(f"deposit page: median {statistics.median(r[0] for r in rows):.1f} ms CPU, {rows[0][2]} SQL statements")
    print(f"deposit POST: median {statistics.median(r[1] for r in rows):.1f} ms CPU, "
          f"{min(r[3] for r in rows)}–{max(r[3] for r in rows)} SQL statements")
    print(f"floor: a 404 page {floor('/dossiers/00000000-0000-0000-0000-000000000000/depot/'):.1f} ms CPU, "
          f"the applicant's space {floor('/espace/'):.1f} ms CPU")


if __name__ == "__main__":
    main()
