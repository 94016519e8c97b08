"""Benchmark: the agents' dashboard on a generated base, in-process (server time, no network).

    .venv/bin/python bench/generate.py --dossiers 20000 --seed 1 --fresh --var-dir /tmp/fabriques-perf-20k
    .venv/bin/python bench/instruction_dashboard.py --var-dir /tmp/fabriques-perf-20k [--requests 60]
    .venv/bin/python bench/instruction_dashboard.py --var-dir /tmp/fabriques-perf-20k --all [--requests 6]
    .venv/bin/python bench/instruction_dashboard.py --database-url … --every [--requests 10]

Logs in as the generated programme admin (sees every dossier) and times a mix of sorted and
filtered dashboard pages; prints p50 / p95 / max and the number of SQL statements per page.
With --all, the page size is « Tous »: every row is streamed and the whole body consumed, timed in wall
and in the process's CPU time (the server's own work, whatever the machine's load), for several sorts.
With --every, the first page is timed on its own for each sort key of the dashboard (descending) and each
main filter: p50 / p95 in wall and the process's CPU time per URL; on PostgreSQL, also the CPU time of the
server process serving this connection (`/proc/<backend pid>/schedstat`, nanoseconds), so that « app + DB » CPU
is the server time of a page whatever else loads the machine.
"""

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var-dir", default="/tmp/fabriques-perf-20k")  # noqa: S108 - throwaway benchmark data
    parser.add_argument("--database-url")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--all", action="store_true", help="every row, streamed (page size « Tous »)")
    parser.add_argument("--columns", choices=["every", "default"], default="every", help="with --all: which columns")
    parser.add_argument("--every", action="store_true", help="first page of each sort key and main filter, one by one")
    args = parser.parse_args()
    os.environ.update(FABRIQUES_DEBUG="0", FABRIQUES_SECRET_KEY="bench-only", FABRIQUES_VAR_DIR=args.var_dir,  # noqa: S106
                      FABRIQUES_REQUIRE_AGENT_MFA="0", FABRIQUES_SSL_REDIRECT="0",
                      FABRIQUES_ALLOWED_HOSTS="testserver", DJANGO_SETTINGS_MODULE="fabriques.settings")
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fabriques.accounts.enums import Role
    from fabriques.accounts.models import CallRole
    from fabriques.dossiers.models import Dossier

    admin = CallRole.objects.filter(role=Role.ADMIN).select_related("user").first().user
    client = Client()
    client.force_login(admin)
    urls = ["/instruction/?sort=-score", "/instruction/?sort=amount&region=76", "/instruction/?sort=-deposited",
            "/instruction/?track=territoire&sort=-calibrated", "/instruction/?q=fabrique&sort=reference",
            "/instruction/?state=evaluated&score_min=2&sort=-score&page=3"]
    if args.all:
        return every_row(client, args.requests, args.columns)
    if args.every:
        return every_sort_and_filter(client, args.requests)
    client.get(urls[0])  # warm-up: templates, URL resolver
    times, statements = [], set()
    for i in range(args.requests):
        url = urls[i % len(urls)]
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        statements.add(len(queries))
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"dossiers={Dossier.objects.count()} requests={len(times)} database={connection.vendor}")
    print(f"p50={statistics.median(times):.0f} ms p95={p95:.0f} ms max={times[-1]:.0f} ms "
          f"SQL statements per page={sorted(statements)}")


def database_cpu_ms(connection) -> float:
    """CPU time so far of the PostgreSQL backend serving `connection` (0 on SQLite: its work is in this process)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with open(f"/proc/{pid}/schedstat") as stat:  # same machine: the bench runs beside its database
        return int(stat.read().split()[0]) / 1e6


def every_sort_and_filter(client, requests: int) -> None:
    from django.db import connection

    from fabriques.calls.models import Wave
    from fabriques.instruction.queries import COLUMNS

    wave = Wave.objects.filter(dossiers__state="evaluated").order_by("-opens_at").first()
    urls = [f"/instruction/?sort=-{key}" for key in COLUMNS] + [
        f"/instruction/?wave={wave.slug}&sort=-deposited", "/instruction/?state=deposited&sort=-deposited",
        "/instruction/?region=76&sort=-score", "/instruction/?track=territoire&sort=amount",
        "/instruction/?eligibility=pass&sort=-deposited", "/instruction/?completeness=ok&sort=-deposited",
        "/instruction/?score_min=2&sort=-score", "/instruction/?q=fabrique&sort=reference",
        "/instruction/?sort=-deposited&page=100",
    ]
    client.get(urls[0])  # warm-up
    print(f"database={connection.vendor} requests per URL={requests}")
    worst = []
    for url in urls:
        walls, cpus, servers = [], [], []
        for _ in range(requests):
            db = database_cpu_ms(connection)
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            servers.append(cpus[-1] + database_cpu_ms(connection) - db)
            assert response.status_code == 200, (url, response.status_code)
        walls.sort()
        cpus.sort()
        servers.sort()
        p95 = walls[int(0.95 * (len(walls) - 1))]
        cpu95 = cpus[int(0.95 * (len(cpus) - 1))]
        server95 = servers[int(0.95 * (len(servers) - 1))]
        worst.append((p95, cpu95, server95, url))
        print(f"{url:58s} wall p50={statistics.median(walls):4.0f} p95={p95:4.0f} ms  "
              f"CPU p50={statistics.median(cpus):4.0f} p95={cpu95:4.0f} ms  "
              f"app+DB CPU p50={statistics.median(servers):4.0f} p95={server95:4.0f} ms")
    p95, cpu95, server95, url = max(worst)
    print(f"worst wall p95={p95:.0f} ms ({url}); worst CPU p95={max(w[1] for w in worst):.0f} ms; "
          f"worst app+DB CPU p95={max(w[2] for w in worst):.0f} ms ({max(worst, key=lambda w: w[2])[3]})")


def every_row(client, requests: int, columns: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fabriques.instruction.queries import COLUMNS, DEFAULT_COLUMNS

    chosen = list(COLUMNS) if columns == "every" else DEFAULT_COLUMNS  # every column: the widest table
    client.post("/instruction/colonnes/", {"columns": chosen})
    urls = ["/instruction/?taille=all&sort=-score", "/instruction/?taille=all&sort=reference",
            "/instruction/?taille=all&sort=-deposited"]
    b"".join(client.get(urls[0]).streaming_content)  # warm-up
    walls, cpus, sizes, statements = [], [], set(), set()
    for i in range(requests):
        with CaptureQueriesContext(connection) as queries:
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(urls[i % len(urls)])
            body = b"".join(response.streaming_content)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        rows = body.count(b'name="dossiers"')
        sizes.add((rows, len(body)))
        statements.add(len(queries))
    print(f"every row, {len(chosen)} columns: rows, bytes={sorted(sizes)} database={connection.vendor} "
          f"requests={requests}")
    print(f"wall p50={statistics.median(walls):.0f} ms max={max(walls):.0f} ms; "
          f"CPU p50={statistics.median(cpus):.0f} ms max={max(cpus):.0f} ms; SQL statements={sorted(statements)}")


if __name__ == "__main__":
    main()
