"""One load run: production-style app servers (gunicorn, DEBUG off, whitenoise), a locust scenario, a table.

Starts `--servers` gunicorn processes (`--workers` each, ports from 8101) on the base made by generate.py,
runs locust headless for `--duration` seconds with `--users` simulated users spread over the servers,
prints throughput and p50/p95/p99 per endpoint as a Markdown table, stops the servers.

    .venv/bin/python bench/load.py --scenario rush --users 50 --duration 60 --var-dir /tmp/fabriques-perf-20k
    .venv/bin/python bench/load.py --scenario agents --users 20 --duration 60 \
        --database-url "postgres://postgres@/fabriques_perf?host=/tmp&port=54329" --servers 2

Scenarios (see bench/locustfile.py): rush (applicants autosave + deposit), deposit (applicants deposit only),
agents (dashboard filter/sort/search by instructors and the admin, evaluators' grids).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
SECRET = "bench-only-secret-key-not-for-production-0123456789"  # noqa: S105 - same as generate.py
CLASSES = {"rush": (["Applicant"], "rush"), "deposit": (["Applicant"], "deposit"),
           "deposit-fast": (["Depositor"], "deposit-fast"), "click": (["Clicker"], "click"),
           "agents": (["Agent", "Evaluator"], "agents")}


def server_env(var_dir: str, database_url: str | None, proof: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FABRIQUES_") and k != "DATABASE_URL"}
    env.update(
        FABRIQUES_DEBUG="0", FABRIQUES_SECRET_KEY=SECRET, FABRIQUES_ALLOWED_HOSTS="127.0.0.1",
        FABRIQUES_SSL_REDIRECT="0",  # loopback http; production sits behind TLS
        FABRIQUES_REQUIRE_AGENT_MFA="0",  # bench agents have no TOTP device
        FABRIQUES_VAR_DIR=var_dir,
        FABRIQUES_DEPOSIT_PROOF_EMAIL="1" if proof else "0",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def start_servers(env: dict, n: int, workers: int, log_dir: Path, *, first_port: int = 8101,
                  new_session: bool = False, wait: bool = True) -> list[tuple[subprocess.Popen, str]]:
    """`new_session`: each server leads its own process group (killed at once by bench/crash_safety.py);
    `wait`: return once each home page answers (without: at once, e.g. to restart under a backlog of clients)."""
    servers = []
    for i in range(n):
        port = first_port + i
        log = open(log_dir / f"gunicorn-{port}.log", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "fabriques.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--timeout", "120", "--access-logfile", "-", "--access-logformat", '%(s)s %(r)s %(M)sms'],
            env=env, stdout=subprocess.DEVNULL, stderr=log, cwd=ROOT, start_new_session=new_session,
        )
        servers.append((proc, f"http://127.0.0.1:{port}"))
    for _, url in servers if wait else []:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.5)
    return servers


def server_cpu(servers) -> float:
    """CPU seconds (user + system) used so far by the gunicorn masters and their workers."""
    import psutil

    total = 0.0
    for proc, _ in servers:
        for p in [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]:
            times = p.cpu_times()
            total += times.user + times.system
    return total


def rows_from(csv_prefix: Path) -> list[dict]:
    with open(f"{csv_prefix}_stats.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def table(rows: list[dict], duration: float) -> str:
    out = ["| endpoint | requests | failures | req/s | p50 | p95 | p99 | max |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        name = "**all**" if r["Name"] == "Aggregated" else r["Name"]
        out.append(
            f"| {name} | {int(r['Request Count']):,} | {int(r['Failure Count'])} | {float(r['Requests/s']):.1f} | "
            f"{r['50%']} ms | {r['95%']} ms | {r['99%']} ms | {float(r['Max Response Time']):.0f} ms |"
        )
    return "\n".join(out)


def cpu_summary(rows: list[dict], cpu: float, locust_cpu: float, elapsed: float) -> None:
    """The servers' CPU per request, and the load generator's (it shares the cores)."""
    total = next(int(r["Request Count"]) for r in rows if r["Name"] == "Aggregated")
    if total:
        per_request = 1000 * cpu / total
        print(f"\nServer CPU: {cpu:.1f} s for {total:,} requests = {per_request:.1f} ms per request; "
              f"2 idle cores would serve ≈ {2000 / per_request:.0f} requests/s of this mix.\n"
              f"Locust CPU: {locust_cpu:.1f} s = {locust_cpu / elapsed:.2f} core over the run's {elapsed:.0f} s, "
              f"{1000 * locust_cpu / total:.1f} ms per request.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", choices=sorted(CLASSES), required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--var-dir", default="/tmp/fabriques-perf")  # noqa: S108 - throwaway benchmark data
    parser.add_argument("--database-url")
    parser.add_argument("--round-robin", action="store_true", help="with --servers 2: each request to the next server")
    parser.add_argument("--proof", action="store_true", help="e-mail the PDF proof of each deposit (as in production)")
    parser.add_argument("--sessions", help="default: <var-dir>/sessions.json")
    parser.add_argument("--sqlite-synchronous", choices=["FULL", "NORMAL"], default="FULL",
                        help="SQLite: FULL (default, fsync per commit) or NORMAL (survives a process crash only)")
    parser.add_argument("--out", default="/tmp/perf", help="locust CSV and server logs")  # noqa: S108
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = {**server_env(args.var_dir, args.database_url, args.proof),
           "FABRIQUES_SQLITE_SYNCHRONOUS": args.sqlite_synchronous}
    if not Path(args.var_dir, "static", "staticfiles.json").exists() and not Path(args.var_dir, "static").exists():
        subprocess.run([sys.executable, "-m", "fabriques", "collectstatic", "--no-input", "-v0"],
                       env=env, check=True, cwd=ROOT)
    sessions = args.sessions or str(Path(args.var_dir, "sessions.json"))
    keys = out / "deposit-keys.json"
    if args.scenario == "click":  # the pages were opened before: sign the keys outside the measured run
        subprocess.run([sys.executable, str(ROOT / "bench" / "deposit_keys.py"), "--sessions", sessions,
                        "--out", str(keys), "--applicants", str(args.users)], env=env, check=True, cwd=ROOT)
    servers = start_servers(env, args.servers, args.workers, out)
    classes, tag = CLASSES[args.scenario]
    db = "postgresql" if args.database_url else "sqlite"
    prefix = out / (f"{args.scenario}-{db}-{args.servers}x{args.workers}-{args.users}u"
                    f"{'-proof' if args.proof else ''}{'-rr' if args.round_robin else ''}")
    locust_env = {**os.environ, "BENCH_SESSIONS": sessions, "BENCH_KEYS": str(keys),
                  "BENCH_HOSTS": ",".join(url for _, url in servers),
                  "BENCH_ROUND_ROBIN": "1" if args.round_robin else ""}
    load_before = os.getloadavg()
    started = time.perf_counter()
    cpu_before = server_cpu(servers)
    locust_before = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust is the only child waited for below
    try:
        subprocess.run(
            [str(VENV_BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(max(1, args.users // 2)), "-t", f"{args.duration}s",
             "-H", servers[0][1], "--tags", tag, "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
             "--loglevel", "WARNING", *classes],
            env=locust_env, check=False, cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=open(f"{prefix}-locust.log", "w"),  # noqa: SIM115 - closed at exit
        )
        cpu = server_cpu(servers) - cpu_before
        locust_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust_cpu = (locust_after.ru_utime - locust_before.ru_utime) + (locust_after.ru_stime - locust_before.ru_stime)
    finally:
        for proc, _ in servers:
            proc.terminate()
        for proc, _ in servers:
            proc.wait(timeout=30)
    elapsed = time.perf_counter() - started
    print(f"\n{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {db}, {args.servers} server(s) × {args.workers} "
          f"gunicorn workers, {args.users} users, {args.duration} s (wall {elapsed:.0f} s), scenario {args.scenario}"
          f"{' with PDF proofs' if args.proof else ''}{', round robin' if args.round_robin else ''}"
          f"{'' if args.database_url else f', synchronous={args.sqlite_synchronous}'}; "
          f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    rows = rows_from(prefix)
    print(table(rows, args.duration))
    cpu_summary(rows, cpu, locust_cpu, elapsed)
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists() and failures.stat().st_size > 100:
        print("\nFailures:\n" + failures.read_text(encoding="utf-8")[:2000])
    shutil.copy(f"{prefix}_stats.csv", out / f"last-{args.scenario}.csv")


if __name__ == "__main__":
    main()
