"""Crash safety of the deposit: a deadline rush on gunicorn, SIGKILLed mid-rush, restarted; nothing acknowledged lost.

1. A throwaway base made by bench/generate.py: an open wave with `--clients` complete drafts, one applicant each,
   logged-in sessions (SQLite under `--var-dir`, or PostgreSQL with `--database-url`; dropped and re-created).
2. A production-style server (bench/load.py: gunicorn, DEBUG off, `--workers` workers, proofs of deposit queued),
   started in its own process group.
3. The rush (bench/crash_rush.py): every applicant deposits at once; some double-click, resend or deposit again.
4. `--kills` times, after a seeded random delay, the whole process group gets SIGKILL, then the server restarts;
   the clients whose requests failed retry with the same signed key.
5. Then, straight in the database (bench/crash_checks.py): every acknowledged deposit (302 to the dossier page) has
   its version, complete, with a SHA-256 that matches its snapshot; one version per key; no half-deposit (state,
   version, date, audit entries, proof queued: all or nothing); `python -m fabriques audit-verify` passes.
6. A summary table; exit status 1 on any loss, duplicate, half-deposit, server error or client that gave up,
   2 if no kill landed during the rush (the run proved nothing).

    .venv/bin/python bench/crash_safety.py --clients 300 --kills 3 --seed 1
    .venv/bin/python bench/crash_safety.py --clients 300 --kills 3 --seed 1 \
        --database-url "postgres://postgres@/fabriques_crash?host=/tmp&port=54329"
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import random
import signal
import socket
import sys
import threading
import time
import urllib.request
from pathlib import Path

import crash_checks
import crash_rush
import generate
import load

WAVE_SLUG = "bench-ouverte"  # the open wave of bench/generate.py


class Server:
    """One gunicorn master and its workers, in a process group of their own."""

    def __init__(self, *, env: dict, workers: int, port: int, log_dir: Path):
        self.env, self.workers, self.port, self.log_dir = env, workers, port, log_dir
        self.url, self.proc, self.starts = f"http://127.0.0.1:{port}", None, 0

    def start(self) -> float:
        began = time.monotonic()
        self.starts += 1
        log_dir = self.log_dir / f"start-{self.starts}"
        log_dir.mkdir(parents=True, exist_ok=True)
        first = self.starts == 1
        [(self.proc, _)] = load.start_servers(self.env, 1, self.workers, log_dir, first_port=self.port,
                                              new_session=True, wait=first)
        if first:  # nobody queued yet: the home page answers once the workers are up
            try:
                urllib.request.urlopen(self.url + "/", timeout=10)  # noqa: S310 - loopback
            except OSError as exc:
                raise SystemExit(f"The server did not start ({exc}); see {log_dir}") from exc
        else:  # the clients' retries queue up at once: wait for the socket and the workers, not for a page
            self._wait_booted(log_dir / f"gunicorn-{self.port}.log")
        return time.monotonic() - began

    def _wait_booted(self, log: Path) -> None:
        for _ in range(1200):
            if self.proc.poll() is not None:
                raise SystemExit(f"The server exited at restart; see {log}")
            booted = log.read_text(encoding="utf-8", errors="replace").count("Booting worker")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                if booted >= self.workers:
                    return
            time.sleep(0.05)
        raise SystemExit(f"The server did not restart within 60 s; see {log}")

    def kill(self) -> int:
        """SIGKILL to the whole group at once (master and workers); returns how many processes were alive."""
        import psutil

        pgid = self.proc.pid
        members = [p for p in psutil.process_iter(["pid"]) if _pgid(p.pid) == pgid]
        os.killpg(pgid, signal.SIGKILL)
        self.proc.wait()
        for _ in range(50):
            if not any(_alive(p) for p in members):
                return len(members)
            time.sleep(0.1)
        raise SystemExit(f"Processes of group {pgid} survived SIGKILL")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


def _alive(process) -> bool:
    import psutil

    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(args) -> dict:
    """The throwaway base and its sessions; Django is set up in this process on the same database."""
    os.environ["FABRIQUES_SECRET_KEY"] = load.SECRET  # sessions are signed with the servers' key
    out = io.StringIO()
    with contextlib.redirect_stdout(out if args.quiet else sys.stdout):
        generate.setup(var_dir=args.var_dir, database_url=args.database_url, fresh=True)
        data = generate.generate(n=0, drafts=args.clients, seed=args.seed)
        sessions = Path(args.var_dir) / "sessions.json"
        generate.write_sessions(sessions, data)
    return json.loads(sessions.read_text(encoding="utf-8"))


def killer(server: Server, tally: crash_rush.Tally, done: threading.Event, args, kills: list[dict]) -> None:
    """Kill the server `args.kills` times during the rush, each after a seeded random delay, and restart it."""
    rng = random.Random(args.seed)
    began = time.monotonic()
    for n in range(1, args.kills + 1):
        before = len(tally.acked)
        while len(tally.acked) == before:  # the delay counts from the first deposit served since the (re)start
            if done.wait(0.05):
                return
        if done.wait(rng.uniform(args.kill_after_min, args.kill_after_max)):
            return
        with tally.lock:
            acked, in_flight = len(tally.acked), tally.in_flight_posts
        at = time.monotonic() - began
        processes = server.kill()
        time.sleep(args.downtime)
        restart = server.start()
        kills.append({"kill": n, "at_s": round(at, 2), "processes": processes, "acked_before": acked,
                      "posts_in_flight": in_flight, "restart_s": round(restart, 2)})


def summary(args, tally, kills, findings, elapsed: float) -> dict:
    mid_rush = [k for k in kills if k["posts_in_flight"] > 0 and k["acked_before"] < len(tally.keys)]
    return {
        "database": "postgresql" if args.database_url else "sqlite", "clients": args.clients,
        "workers": args.workers, "seed": args.seed, "behaviours": tally.behaviours, "kills": kills,
        "kills_mid_rush": len(mid_rush), "requests_sent": tally.requests, "deposit_posts": tally.posts,
        "posts_acknowledged": tally.acknowledged_posts, "deposits_acknowledged": len(tally.acked),
        "deposits_found": findings.acked_found, "versions_found": findings.versions_found,
        "unacknowledged_versions": findings.unacked_found, "connection_errors": tally.connection_errors,
        "retried_after_cut": len(tally.retried_after_cut), "recovered": findings.recovered,
        "server_errors": tally.server_errors, "refused": tally.refused, "gave_up": tally.gave_up,
        "lost": findings.lost, "incomplete": findings.incomplete, "bad_fingerprint": findings.bad_fingerprint,
        "duplicates": findings.duplicates, "half_deposits": findings.half_deposits,
        "audit_chain": findings.audit_chain, "elapsed_s": round(elapsed, 1),
    }


def print_table(s: dict) -> None:
    print(f"\n{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {s['database']}, gunicorn {s['workers']} workers, "
          f"{s['clients']} clients {s['behaviours']}, seed {s['seed']}, rush + checks {s['elapsed_s']} s")
    for k in s["kills"]:
        print(f"  kill {k['kill']} at {k['at_s']} s: SIGKILL to {k['processes']} processes, "
              f"{k['posts_in_flight']} deposit POSTs in flight, {k['acked_before']} deposits acknowledged before; "
              f"restarted, listening with its workers booted after {k['restart_s']} s")
    rows = [
        ("kills during the rush", s["kills_mid_rush"]), ("requests sent", s["requests_sent"]),
        ("deposit POSTs", s["deposit_posts"]), ("POSTs acknowledged (302)", s["posts_acknowledged"]),
        ("connection errors (retried)", s["connection_errors"]),
        ("deposits acknowledged (distinct keys)", s["deposits_acknowledged"]),
        ("deposits found after the crash", s["deposits_found"]),
        ("keys acknowledged only on a retry after a cut connection", s["retried_after_cut"]),
        ("  of which already committed before the cut (retry answered from it)", s["recovered"]),
        ("versions never acknowledged to their client", s["unacknowledged_versions"]),
        ("lost", len(s["lost"])), ("incomplete or altered", len(s["incomplete"])),
        ("fingerprint mismatches", len(s["bad_fingerprint"])), ("duplicates", len(s["duplicates"])),
        ("half-deposits", len(s["half_deposits"])), ("server errors (5xx)", s["server_errors"]),
        ("refused (4xx)", len(s["refused"])), ("clients that gave up", len(s["gave_up"])),
        ("audit chain", s["audit_chain"]),
    ]
    print("| | |\n|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    for name in ("lost", "incomplete", "bad_fingerprint", "duplicates", "half_deposits", "refused", "gave_up"):
        if s[name]:
            print(f"\n{name}:\n  " + "\n  ".join(s[name][:20]))


def run(args) -> int:
    sessions = prepare(args)
    env = load.server_env(args.var_dir, args.database_url, proof=True)
    Path(args.var_dir, "static").mkdir(exist_ok=True)  # whitenoise's root (no collectstatic: no page needs it here)
    log_dir = Path(args.var_dir) / "logs"
    server = Server(env=env, workers=args.workers, port=args.port or free_port(), log_dir=log_dir)
    server.start()
    tally, kills, done = crash_rush.Tally(), [], threading.Event()
    began = time.monotonic()
    thread = threading.Thread(target=killer, args=(server, tally, done, args, kills))
    thread.start()
    try:
        crash_rush.rush(base_url=server.url, applicants=sessions["applicants"], tally=tally,
                        concurrency=args.concurrency, patience=args.patience, seed=args.seed)
    finally:
        done.set()
        thread.join()
        server.stop()
    findings = crash_checks.check_versions(keys=tally.keys, acked=set(tally.acked),
                                           retried=tally.retried_after_cut, wave_slug=WAVE_SLUG)
    crash_checks.check_half_deposits(findings, wave_slug=WAVE_SLUG, proof=True)
    crash_checks.check_audit_chain(findings, env)
    result = summary(args, tally, kills, findings, time.monotonic() - began)
    print_table(result)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    if not findings.ok or tally.server_errors or tally.refused or tally.gave_up:
        print("\nFAILED: something acknowledged is missing, doubled or half-written, or the server failed.")
        return 1
    if args.kills and not result["kills_mid_rush"]:
        print("\nNo kill landed during the rush: lower --kill-after-max or raise --clients.")
        return 2
    print("\nOK: every acknowledged deposit is present, complete and matches its fingerprint; no half-deposit.")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=300, help="applicants, one complete draft each")
    parser.add_argument("--kills", type=int, default=1)
    parser.add_argument("--kill-after-min", type=float, default=0.5,
                        help="seconds after the first deposit acknowledged since the start or the last restart")
    parser.add_argument("--kill-after-max", type=float, default=3.0)
    parser.add_argument("--downtime", type=float, default=0.5, help="seconds between the kill and the restart")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=40, help="clients at once (threads)")
    parser.add_argument("--patience", type=float, default=180, help="seconds a client keeps retrying")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--database-url")
    parser.add_argument("--var-dir", default="/tmp/fabriques-crash")  # noqa: S108 - throwaway benchmark data
    parser.add_argument("--json-out", help="write the summary as JSON")
    parser.add_argument("--quiet", action="store_true", help="hide the generator's steps")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
