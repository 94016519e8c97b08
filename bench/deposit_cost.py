"""CPU and SQL statements of one deposit (GET of the deposit page + POST of its signed key), in-process.

Each of `--applicants` applicants of a generated base deposits their own draft, `--rounds` times (on a fresh base
round 1 is every applicant's first deposit: transition, routing, e-mails; later rounds are re-deposits, a new
version each); one test client for all (its middleware is built once, as in a worker). Production settings: the
proof of deposit is queued for the job worker (`FABRIQUES_DEPOSIT_PROOF_QUEUE`), `--no-proof-email` leaves it out
as the first measures did. Reports p50/p95 of the CPU time of the page and of the POST, for first deposits and
re-deposits apart, and their SQL statement counts; then the floor: a 404 page and the applicant's space, which pay
the same middleware, session and layout. `--profile N` prints cProfile's N heaviest functions of the POSTs.
Each request ends as under gunicorn: `close_old_connections()` (the test client leaves it out), so a database
connection that is not kept (`CONN_MAX_AGE` 0, SQLite's default before 6 December 2026) is opened again by the next
request and that cost is counted.

    .venv/bin/python bench/deposit_cost.py --var-dir /tmp/fabriques-perf-2k --applicants 200 --rounds 2
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import re
import statistics
import time
from pathlib import Path

from profile_page import setup_in_process

KEY = re.compile(r'name="submission_key" value="([^"]+)"')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(rows: list[dict]) -> None:
    """p50/p95 of CPU per page and per POST, first deposits and re-deposits apart, with their statement counts."""
    for label, group in (("first deposits", [r for r in rows if r["first"]]),
                         ("re-deposits", [r for r in rows if not r["first"]])):
        if not group:
            continue
        for what in ("page", "post"):
            values = [r[what] for r in group]
            sql = [r[f"{what}_sql"] for r in group]
            print(f"{label:15} {'deposit page' if what == 'page' else 'deposit POST'}: "
                  f"p50 {statistics.median(values):5.1f} ms CPU, p95 {percentile(values, 0.95):5.1f} ms, "
                  f"n={len(values)}, {min(sql)}–{max(sql)} SQL statements")


def served(response):
    """The response, once the request ended as under a WSGI server (the test client leaves request_finished's
    `close_old_connections` out)."""
    from django.db import close_old_connections

    close_old_connections()
    return response


def database_cpu(connection) -> tuple[int, float]:
    """(pid, CPU ms so far) of the PostgreSQL backend serving `connection`; (0, 0) on SQLite, whose work is in this
    process. Same machine: the bench runs beside its database."""
    if connection.vendor != "postgresql":
        return 0, 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with open(f"/proc/{pid}/schedstat") as stat:
        return pid, int(stat.read().split()[0]) / 1e6


def database_report(started: tuple[int, float], ended: tuple[int, float], deposits: int) -> None:
    if started[0]:
        print(f"PostgreSQL server process: {(ended[1] - started[1]) / deposits:.1f} ms CPU per deposit "
              f"(page + POST + the bench's lookup)" if started[0] == ended[0] else
              "PostgreSQL server process: the connection was replaced during the run, not measured")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--var-dir", default="/tmp/fabriques-perf-20k")  # noqa: S108 - throwaway benchmark data
    parser.add_argument("--database-url")
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1, help="deposits per applicant (the 2nd on are re-deposits)")
    parser.add_argument("--no-proof-email", action="store_true", help="do not queue the proof (first measures)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print cProfile's N heaviest functions")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    setup_in_process(args.var_dir, args.database_url, FABRIQUES_DEPOSIT_PROOF_QUEUE="1",
                     FABRIQUES_DEPOSIT_PROOF_EMAIL="0" if args.no_proof_email else "1")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fabriques.dossiers.models import Dossier

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # nothing leaves the machine
    applicants = json.loads(Path(args.var_dir, "sessions.json").read_text())["applicants"]
    client = Client()
    profilers = {"page": cProfile.Profile(time.process_time), "post": cProfile.Profile(time.process_time)} \
        if args.profile else None  # CPU time: what the neighbours on the machine do not change

    def deposit(me, *, profile: bool = False) -> dict:
        first = Dossier.objects.filter(uuid=me["dossier"], state="draft").exists()
        client.cookies["sessionid"] = me["session"]
        path = f"/dossiers/{me['dossier']}/depot/"
        connection.queries_log.clear()  # a full log (9,000 entries) would make the captures below empty
        with CaptureQueriesContext(connection) as page_sql:
            if profile:
                profilers["page"].enable()
            cpu = time.process_time()
            page = served(client.get(path))
            page_cpu = time.process_time() - cpu
            if profile:
                profilers["page"].disable()
        key = KEY.search(page.content.decode()).group(1)
        with CaptureQueriesContext(connection) as post_sql:
            if profile:
                profilers["post"].enable()
            cpu = time.process_time()
            response = served(client.post(path, {"submission_key": key}))
            post_cpu = time.process_time() - cpu
            if profile:
                profilers["post"].disable()
        assert response.status_code == 302, response.status_code
        return {"first": first, "page": 1000 * page_cpu, "post": 1000 * post_cpu,
                "page_sql": len(page_sql), "post_sql": len(post_sql)}

    for me in applicants[-3:]:  # warm-up on the last applicants: imports, templates, the track definition
        deposit(me)
    measured = applicants[:args.applicants]
    rows = []
    started, db_started = time.process_time(), database_cpu(connection)
    for _ in range(args.rounds):
        rows += [deposit(me, profile=profilers is not None) for me in measured]
    total, db_ended = time.process_time() - started, database_cpu(connection)

    print(f"{connection.vendor}, {len(measured)} applicants × {args.rounds} round(s), proof "
          f"{'left out' if args.no_proof_email else 'queued for the worker'}; "
          f"{1000 * total / len(rows):.1f} ms CPU per deposit in all (page + POST + the bench's own lookup)")
    report(rows)
    database_report(db_started, db_ended, len(rows))

    def floor(path: str) -> float:
        client.get(path)
        cpu = time.process_time()
        for _ in range(30):
            served(client.get(path))
        return 1000 * (time.process_time() - cpu) / 30

    print(f"floor: a 404 page {floor('/dossiers/00000000-0000-0000-0000-000000000000/depot/'):.1f} ms CPU, "
          f"the applicant's space {floor('/espace/'):.1f} ms CPU")
    for what, profiler in (profilers or {}).items():
        print(f"--- cProfile of the {'deposit page' if what == 'page' else 'deposit POST'}s")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
