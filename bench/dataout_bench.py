"""Benchmarks of data out on N dossiers: CSV/XLSX/ODS exports (wall, CPU, peak RSS), API list pages (p50/p95).

Run: .venv/bin/python bench/dataout_bench.py [--dossiers 20000] [--database-url postgres://...]
Seeds a throwaway database (SQLite under a temporary folder unless --database-url, which must be an
empty PostgreSQL database), then measures each export in a fresh child process (so its peak RSS,
VmHWM, is the export's own), then the API in this process with Django's test client.
"""

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dataout_seed


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM): unlike getrusage's ru_maxrss it is not inherited
    from the parent across fork/exec (the seeding parent is large)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_export(fmt: str, wave_slug: str = "vague-demo") -> dict:
    from django.contrib.auth import get_user_model

    from fabriques.calls.models import Wave
    from fabriques.exports.domain import export_write

    admin = get_user_model().objects.get(email="admin@bench.example")
    wave = Wave.objects.get(slug=wave_slug)
    samples = []  # resident memory after each batch of rows: flat if the export streams

    def progress(n):
        samples.append((n, current_rss_mb()))

    with tempfile.TemporaryFile() as out:
        db = database_cpu_seconds()
        start, cpu = time.perf_counter(), time.process_time()
        export_write(by=admin, wave=wave, fmt=fmt, fileobj=out, progress=progress)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        db = database_cpu_seconds() - db
        size = out.tell()
    peak_mb = peak_rss_mb()
    rows = sum(n for n, _ in samples)
    tenth = samples[len(samples) // 10][1] if samples else 0
    return {"format": fmt, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "database_cpu_seconds": round(db, 2), "peak_rss_mb": round(peak_mb),
            "bytes": size, "rows": rows, "rss_mb_at_10_percent": round(tenth), "rss_mb_at_end": round(samples[-1][1])}


def database_cpu_seconds() -> float:
    """CPU time so far of the PostgreSQL backends working for this process (the database runs on this machine): this
    connection's backend (`/proc/<pid>/schedstat`) plus the backends that have exited, which the postmaster has
    reaped (`cutime` + `cstime` of `/proc/<postmaster>/stat`): the CSV export's second connection is one of those
    once it is closed (another client's ended sessions would count too: run on an otherwise idle server). 0 on
    SQLite, whose work is counted in this process."""
    import os

    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), current_setting('data_directory')")
        pid, data_directory = cursor.fetchone()
    own = int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    postmaster = Path(data_directory, "postmaster.pid").read_text().split()[0]
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    reaped = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime, cstime (fields 16 and 17)
    return own + reaped


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_api(pages: int = 200) -> dict:
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from fabriques.apitokens.domain import token_create
    from fabriques.calls.models import Call

    settings.FABRIQUES_API_RATE_LIMIT = 10**9
    settings.ALLOWED_HOSTS = ["*"]
    admin = get_user_model().objects.get(email="admin@bench.example")
    _, raw = token_create(owner=admin, name="bench", calls=Call.objects.all(), can_write=False,
                          expires_at=timezone.now() + dt.timedelta(days=1))
    client, headers, timings, cpus = Client(), {"Authorization": f"Bearer {raw}"}, [], []
    rng = random.Random(3)
    urls = ["/api/v1/dossiers?limit=100", "/api/v1/dossiers?limit=100&state=laureate",
            "/api/v1/dossiers?limit=100&region=76", "/api/v1/dossiers?limit=100&track=numerique"]
    url = urls[0]
    for _ in range(pages):
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, response.content
        url = response.json()["next"] or rng.choice(urls)
    timings.sort()
    cpus.sort()
    return {"pages": pages, "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(0.95 * len(timings)) - 1], 1), "max_ms": round(timings[-1], 1),
            "cpu_p50_ms": round(statistics.median(cpus), 1), "cpu_p95_ms": round(cpus[int(0.95 * len(cpus)) - 1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--database-url")
    parser.add_argument("--var-dir")
    parser.add_argument("--measure", choices=["csv", "xlsx", "ods", "api"],
                        help="one measure on an already seeded --var-dir (or --database-url)")
    parser.add_argument("--wave", default="vague-demo",
                        help="with --measure: the wave exported (a base of bench/generate.py: bench-close)")
    args = parser.parse_args()
    if args.measure:
        dataout_seed.setup(args.var_dir, args.database_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a database seeded earlier gets the newer migrations
        print(json.dumps(measure_api() if args.measure == "api" else measure_export(args.measure, args.wave)))
        return
    var_dir = tempfile.mkdtemp(prefix="fabriques-dataout-bench-")
    dataout_seed.setup(var_dir, args.database_url)
    start = time.perf_counter()
    dataout_seed.populate(args.dossiers, random.Random(7))
    print(f"seeded {args.dossiers} dossiers in {time.perf_counter() - start:.1f} s ({var_dir})")
    for fmt in ("csv", "xlsx", "ods"):
        command = [sys.executable, __file__, "--measure", fmt, "--var-dir", var_dir]
        if args.database_url:
            command += ["--database-url", args.database_url]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        print(result.stdout.strip().splitlines()[-1])
    print(json.dumps(measure_api()))


if __name__ == "__main__":
    main()
