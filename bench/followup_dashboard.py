"""Benchmark: the programme's follow-up dashboard for N laureates × 3 years of reports, in-process (server time).

    .venv/bin/python bench/followup_dashboard.py [--laureates 1000] [--requests 60] [--database-url postgres://…]

Builds a throwaway base (SQLite under /tmp, or the given PostgreSQL database, emptied first), loads the 2019 call,
seeds the laureates with `bench/followup_seed.py`, logs in as the programme admin and times a mix of dashboard
pages (sorts, filters, page 2), the indicators page and the open data CSV; prints p50 / p95 / max and the SQL
statements per page. Figures in docs/benchmarks.md (« Suivi des lauréats »).
"""

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGES = ["", "?tri=late", "?tri=remaining", "?tri=paid&etat=in_force", "?retard=1", "?tri=organisation&page=2",
         "?region=84&tri=deadline", "?entree=numerique"]


def _setup(args) -> None:
    var = Path(tempfile.mkdtemp(prefix="fabriques-followup-bench-"))
    os.environ.update(FABRIQUES_DEBUG="0", FABRIQUES_SECRET_KEY="bench-only-" + "x" * 50, FABRIQUES_VAR_DIR=str(var),
                      FABRIQUES_REQUIRE_AGENT_MFA="0", FABRIQUES_SSL_REDIRECT="0",
                      FABRIQUES_ALLOWED_HOSTS="testserver", DJANGO_SETTINGS_MODULE="fabriques.settings")
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(HERE.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    if args.database_url:
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", "--no-input", verbosity=0)
    args.var = var


def _seed(args):
    from fabriques.accounts.enums import Role
    from fabriques.accounts.models import Organisation
    from fabriques.calls.domain import DEFINITIONS_DIR, call_load_file
    from fabriques.demo.committee_demo import demo_commune
    from fabriques.demo.domain import demo_open_wave
    from fabriques.demo.people import demo_user
    from fabriques.demo.places import CLOSED_WAVE

    spec = importlib.util.spec_from_file_location("followup_seed", HERE / "followup_seed.py")
    seed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed)
    call = call_load_file(path=DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").call
    wave = demo_open_wave(call=call)
    admin = demo_user("admin@bench.example", "bench-password-2019", call=call, role=Role.ADMIN)
    owner = demo_user("laureat@bench.example", "bench-password-2019", call=call)
    organisation = Organisation.objects.create(name="Association du banc d’essai", legal_form="association",
                                               siret="35600000000048", address="1 place de la Mairie")
    communes = [demo_commune(p.commune) for p in CLOSED_WAVE[:24]]
    started = time.perf_counter()
    for track in call.tracks.all():
        seed.followup_seed(call=call, wave=wave, track=track, owner=owner, organisation=organisation,
                           count=args.laureates // 2, seed=1 if track.slug == "numerique" else 2, communes=communes)
    print(f"seeded {args.laureates} laureates in {time.perf_counter() - started:.1f} s")
    return call, admin


def _time(client, url: str, runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured.captured_queries)
    return timings, queries


def _report(label: str, timings: list[float], queries: int) -> None:
    timings = sorted(timings)
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    print(f"{label:<44} p50 {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms  "
          f"max {timings[-1]:6.1f} ms  {queries} queries")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--laureates", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    _setup(args)
    try:
        call, admin = _seed(args)
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        with connection.cursor() as cursor:  # fresh statistics after the bulk inserts (both databases)
            cursor.execute("ANALYZE")
        client = Client()
        client.force_login(admin)
        base = reverse("followup:programme", args=[call.slug])
        client.get(base)  # warm the template and URL caches
        mixed = []
        per_page = max(1, args.requests // len(PAGES))
        for query in PAGES:
            timings, queries = _time(client, base + query, per_page)
            _report(f"dashboard {query or '(default)'}", timings, queries)
            mixed += timings
        _report("dashboard, all pages together", mixed, queries)
        for name in ("followup:indicators", "followup:opendata-csv"):
            timings, queries = _time(client, reverse(name, args=[call.slug]), max(5, per_page))
            _report(name, timings, queries)
        out = __import__("io").StringIO()
        started = time.perf_counter()
        from django.core.management import call_command

        call_command("followup_status", "--call", call.slug, "--json", stdout=out)
        print(f"followup-status --json: {(time.perf_counter() - started) * 1000:.0f} ms")
    finally:
        shutil.rmtree(args.var, ignore_errors=True)


if __name__ == "__main__":
    main()
