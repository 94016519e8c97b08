"""Faults beyond a killed app server: the database, the disk, the mail relay and the antivirus fail mid-rush.

One throwaway base (bench/generate.py: an open wave, one complete draft per applicant), one production-style
gunicorn (bench/load.py), real parts around it (bench/fault_parts.py), then one rush per fault, each on its own
applicants, the fault injected once the first deposit of that rush is acknowledged:

- `pg-restart` (PostgreSQL): our own cluster is stopped `-m immediate` (every connection cut, commits in flight
  included), down `--pg-down` seconds, started again;
- `read-only` (PostgreSQL): `default_transaction_read_only = on` for `--read-only-seconds` (a failover to a standby);
- `lock`: another connection holds a lock for `--lock-seconds` (PostgreSQL: ACCESS EXCLUSIVE on the deposits'
  versions table, as a migration; SQLite: a write transaction, as an export or a backup);
- `smtp`: the relay refuses (451) from the start, then hangs (`--smtp-hang` s), then accepts;
- `disk-full` (root: the media folder is a tmpfs of `--media-mb` Mo): another writer fills the disk while applicants
  upload, holds it full `--full-seconds`, then frees it;
- `clamd`: clamd is killed while applicants upload, down `--clamd-down` seconds, started again.

In the uploading rushes each applicant sends one PDF (« Dernier rapport d’activité ») and then deposits. A client
retries with the same key, or the same file, when told to (503, a refusal saying « réessayez ») or cut off.
Afterwards, in the database and on the disk: every acknowledged deposit complete with its fingerprint, no half
deposit, the audit chain intact; every acknowledged upload stored whole (size and SHA-256 of the bytes on disk),
scanned clean, no file without its row nor row without its file; after the relay recovers and the worker runs,
every e-mail received exactly once or visibly failed; every 5xx was the French 503 page (« réessayez »), never a
traceback. Exit 1 on any of these, 2 if a fault landed after its rush (it proved nothing). A fault whose part
cannot run here (not root: no tmpfs; no clamd; SQLite for the PostgreSQL faults) is skipped and named in the summary.

    .venv/bin/python bench/fault_safety.py --clients 60
    .venv/bin/python bench/fault_safety.py --clients 60 --database postgresql
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import http.client
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import crash_checks
import crash_rush
import fault_parts
import generate
import load
from crash_safety import WAVE_SLUG, Server

ROOT = Path(__file__).resolve().parents[1]
ALL_FAULTS = ["pg-restart", "read-only", "lock", "smtp", "disk-full", "clamd"]
PG_ONLY = {"pg-restart", "read-only"}
UPLOADING = {"disk-full", "clamd"}
UPLOAD_CODE = "rapport-activite"  # optional in the 2019 call: the generated drafts have none
RETRY_WORD = "éessayez"  # « Réessayez » / « réessayez »
AV_DOWN = "L’analyse antivirus est momentanément indisponible"
NO_SPACE = "Le serveur manque momentanément d’espace"
# The e-mail pass of `run-jobs` (its other passes are not under test here), in a process with the servers' settings.
WORKER_MAIL_STEP = "from fabriques.mail.domain import emails_send_due; emails_send_due(limit=10_000)"


@dataclass
class FaultTally(crash_rush.Tally):
    told_retry: int = 0  # 503 pages in French saying « réessayez »
    bad_5xx: list[str] = field(default_factory=list)  # any other 5xx, or a traceback
    banner_pages: int = 0  # pages shown with the read-only banner
    uploads_acked: dict[str, str] = field(default_factory=dict)  # dossier -> SHA-256 of the file acknowledged
    uploads_sent: int = 0
    in_flight_uploads: int = 0
    refused_av: int = 0
    refused_disk: int = 0
    refused_other: list[str] = field(default_factory=list)
    health: dict[str, int] = field(default_factory=dict)  # "200 ok" -> count


class FaultClient(crash_rush.Client):
    """crash_rush's applicant, who also uploads a file and reads what a 5xx page says."""

    def _request(self, method: str, body: str | None = None) -> tuple[int, str, str]:
        status, location, text = super()._request(method, body)
        self._judge(status, text)
        return status, location, text

    def _judge(self, status: int, text: str) -> None:
        with self.tally.lock:
            if status == 503 and RETRY_WORD in text and "Traceback" not in text:
                self.tally.told_retry += 1
            elif status >= 500 or "Traceback" in text:
                self.tally.bad_5xx.append(f"{status} {self.dossier}: {text[:200]!r}")
            if status == 200 and "en lecture seule" in text:
                self.tally.banner_pages += 1

    def upload(self, deadline: float) -> bool:
        content = b"%PDF-1.4\n%" + os.urandom(32 * 1024).hex().encode() + b"\n%%EOF\n"  # 64 KB, unique
        digest, boundary = hashlib.sha256(content).hexdigest(), uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n{UPLOAD_CODE}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rapport.pdf\"\r\n"
                "Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        headers = {**self.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        path = f"/dossiers/{self.dossier}/pieces/"
        while time.monotonic() < deadline:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.tally.add(in_flight_uploads=1)
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                status, text = response.status, response.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException):
                self.tally.add(connection_errors=1)
                self._pause()
                continue
            finally:
                conn.close()
                self.tally.add(requests=1, uploads_sent=1, in_flight_uploads=-1)
            self._judge(status, text)
            if status == 302 or (status == 400 and "fichier(s) au plus" in text):  # stored (maybe by a cut try)
                with self.tally.lock:
                    self.tally.uploads_acked[self.dossier] = digest
                return True
            if status == 400 and AV_DOWN in text:
                self.tally.add(refused_av=1)
            elif status == 400 and NO_SPACE in text:
                self.tally.add(refused_disk=1)
            elif status != 503:
                with self.tally.lock:
                    self.tally.refused_other.append(f"upload {self.dossier}: {status} {text[:120]!r}")
                return False
            time.sleep(self.rng.uniform(0.3, 1.0))  # told to try again in a moment
        return False

    def upload_then_deposit(self, behaviour: str) -> None:
        if self.upload(time.monotonic() + self.patience):
            self.deposit(behaviour)
        else:
            self._give_up("upload")


def rush(*, base_url: str, applicants: list[dict], tally: FaultTally, args, seed: int, uploads: bool) -> None:
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(seed)
    plan = []
    for i, me in enumerate(applicants):
        behaviour = crash_rush.behaviour_for(rng)
        tally.behaviours[behaviour] = tally.behaviours.get(behaviour, 0) + 1
        client = FaultClient(base_url=base_url, session=me["session"], dossier=me["dossier"], tally=tally,
                             patience=args.patience, seed=seed * 100_003 + i)
        plan.append((client.upload_then_deposit if uploads else client.deposit, behaviour))
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        for future in [pool.submit(run, behaviour) for run, behaviour in plan]:
            future.result()


def health_probe(url: str, tally: FaultTally, done: threading.Event) -> None:
    """The load balancer's view: GET /sante/ twice a second during the rush."""
    while not done.wait(0.5):
        try:
            host, port = url.removeprefix("http://").split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=5)
            conn.request("GET", "/sante/")
            response = conn.getresponse()
            key = f"{response.status} {json.loads(response.read()).get('status', '?')}"
            conn.close()
        except (OSError, http.client.HTTPException, ValueError):
            key = "no answer"
        with tally.lock:
            tally.health[key] = tally.health.get(key, 0) + 1


# --- The faults: each waits for the first acknowledgement, then breaks something and repairs it ------------------


class Faults:
    def __init__(self, args, parts: dict, env: dict):
        self.args, self.parts, self.env = args, parts, env
        self.rng = random.Random(args.seed)
        self.witness: FaultClient | None = None  # an applicant of the stage, set before each rush

    def _witnessed(self, record: dict, seconds: float) -> None:
        """While the fault lasts, an applicant of the rush opens their deposit page until one answer arrives.

        The rush may be between requests at that moment (12 applicants on an idle machine); the witness makes sure
        that someone meets the fault, and the answer is judged like any other (a French 503, or a bad 5xx).
        """
        end = time.monotonic() + seconds
        record["witness"] = "no answer"
        while self.witness and time.monotonic() < end:
            try:
                status, _, _ = self.witness._request("GET")
            except crash_rush.UnreachableError:
                time.sleep(0.05)
                continue
            record["witness"] = status
            break
        time.sleep(max(0.0, end - time.monotonic()))

    def inject(self, name: str, tally: FaultTally, done: threading.Event, record: dict) -> None:
        while not tally.acked and not tally.uploads_acked:
            if done.wait(0.01):
                return
        # A random moment after the first acknowledgement (the suite asks for none: a short rush on an idle machine
        # can be over within a second). The uploading rushes are short: those break at the first file stored.
        delay = self.rng.uniform(min(0.2, self.args.inject_delay), self.args.inject_delay)
        # The relay refuses from the rush's start: its next stage (silence) follows the first acknowledgement at once,
        # or an idle machine finishes a short rush before it.
        if name not in UPLOADING and name != "smtp" and done.wait(delay):
            return
        with tally.lock:
            record.update(acked_before=len(tally.acked), posts_in_flight=tally.in_flight_posts,
                          uploads_in_flight=tally.in_flight_uploads,
                          uploads_before=len(tally.uploads_acked), at=dt.datetime.now(dt.UTC).strftime("%H:%M:%S"))
        began = time.monotonic()
        getattr(self, name.replace("-", "_"))(record)
        record["fault_s"] = round(time.monotonic() - began, 1)

    def pg_restart(self, record: dict) -> None:
        pg = self.parts["pg"]
        pg.stop("immediate")
        self._witnessed(record, self.args.pg_down)
        record["restart_s"] = round(pg.start(), 1)
        record["what"] = f"PostgreSQL stopped -m immediate, down {self.args.pg_down} s, restarted"

    def read_only(self, record: dict) -> None:
        pg = self.parts["pg"]
        pg.execute("postgres", "ALTER SYSTEM SET default_transaction_read_only = on", "SELECT pg_reload_conf()")
        time.sleep(self.args.read_only_seconds)
        pg.execute("postgres", "ALTER SYSTEM RESET default_transaction_read_only", "SELECT pg_reload_conf()")
        record["what"] = f"default_transaction_read_only = on for {self.args.read_only_seconds} s"

    def lock(self, record: dict) -> None:
        seconds = self.args.lock_seconds
        if self.parts.get("pg"):
            import psycopg

            pg = self.parts["pg"]
            with psycopg.connect(dbname="fabriques_fault", user="postgres", host=str(pg.root), port=pg.port) as c:
                c.execute("LOCK TABLE dossiers_dossierversion IN ACCESS EXCLUSIVE MODE")
                time.sleep(seconds)
            record["what"] = f"ACCESS EXCLUSIVE lock on dossiers_dossierversion held {seconds} s"
        else:
            import sqlite3

            conn = sqlite3.connect(Path(self.args.var_dir) / "fabriques.sqlite3", isolation_level=None, timeout=60)
            conn.execute("BEGIN IMMEDIATE")
            time.sleep(seconds)
            conn.execute("COMMIT")
            conn.close()
            record["what"] = f"write transaction (BEGIN IMMEDIATE) held {seconds} s"

    def smtp(self, record: dict) -> None:
        relay = self.parts["relay"]  # refusing since the rush began
        relay.switch("hang")
        time.sleep(self.args.smtp_hang)
        relay.switch("accept")
        record["what"] = f"relay refusing (451) from the start, then silent {self.args.smtp_hang} s, then accepting"

    def disk_full(self, record: dict) -> None:
        filler = fault_parts.Filler(Path(self.args.var_dir) / "media" / "backup-en-cours.tar")
        written = filler.fill()
        time.sleep(self.args.full_seconds)
        filler.remove()
        record["what"] = (f"a backup filled the {self.args.media_mb} Mo disk ({written // 1024} Ko written), "
                          f"kept full {self.args.full_seconds} s, then removed")

    def clamd(self, record: dict) -> None:
        clamd = self.parts["clamd"]
        clamd.stop()
        time.sleep(self.args.clamd_down)
        record["restart_s"] = round(clamd.start(), 1)
        record["what"] = f"clamd killed, down {self.args.clamd_down} s, restarted"


# --- Checks after the rushes ---------------------------------------------------------------------------------------


def check_uploads(tally_by_fault: dict[str, FaultTally], clamd: bool) -> dict:
    """Every acknowledged file whole on disk; no orphan file or row; nothing stored unscanned."""
    from django.conf import settings

    from fabriques.dossiers.models import DossierAttachment
    from fabriques.security.antivirus import ScanState

    media = Path(settings.MEDIA_ROOT)
    rows = list(DossierAttachment.objects.filter(dossier__wave__slug=WAVE_SLUG, required__code=UPLOAD_CODE)
                .values_list("dossier__uuid", "file", "size", "sha256", "scan_state"))
    by_dossier: dict[str, list] = {}
    for dossier, name, size, sha, state in rows:
        by_dossier.setdefault(str(dossier), []).append((name, size, sha, state))
    out = {"rows": len(rows), "lost": [], "altered": [], "duplicates": [], "unscanned": [], "orphan_files": [],
           "rows_without_file": []}
    for tally in tally_by_fault.values():
        for dossier, digest in tally.uploads_acked.items():
            mine = by_dossier.get(dossier, [])
            if len(mine) > 1:
                out["duplicates"].append(dossier)
            if not any(sha == digest for _, _, sha, _ in mine):
                out["lost"].append(dossier)
    for name, size, sha, state in (r for rs in by_dossier.values() for r in rs):
        path = media / name
        if not path.exists():
            out["rows_without_file"].append(name)
            continue
        data = path.read_bytes()
        if len(data) != size or hashlib.sha256(data).hexdigest() != sha:
            out["altered"].append(name)
        if clamd and state != ScanState.CLEAN:
            out["unscanned"].append(f"{name}: {state}")
    known = set(DossierAttachment.objects.values_list("file", flat=True))
    for path in media.rglob("*"):
        rel = str(path.relative_to(media))
        if path.is_file() and rel not in known and not path.name.startswith(".sante-"):
            out["orphan_files"].append(rel)
    return out


def check_mail(env: dict, relay: fault_parts.Relay) -> dict:
    """After the relay recovered: the worker's e-mail pass sends what waits (time moved on: every queued e-mail is
    made due, as the back-off would after 1 to 30 minutes)."""
    from django.db import connections
    from django.utils import timezone

    from fabriques.mail.enums import EmailState
    from fabriques.mail.models import OutgoingEmail

    connections.close_all()
    relay.switch("accept")
    passes = 0
    while OutgoingEmail.objects.filter(state=EmailState.QUEUED).exists() and passes < 5:
        OutgoingEmail.objects.filter(state=EmailState.QUEUED).update(next_attempt_at=timezone.now())
        done = subprocess.run([sys.executable, "-m", "fabriques", "shell", "-c", WORKER_MAIL_STEP], env=env,
                              cwd=ROOT, check=False, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"the worker's e-mail pass failed:\n{done.stderr[-3000:]}")
        passes += 1
    rows = list(OutgoingEmail.objects.values_list("recipients", "subject", "state", "attempts"))
    expected: dict[tuple, int] = {}
    for recipients, subject, state, _ in rows:
        if state == EmailState.SENT:
            key = (tuple(sorted(recipients)), subject)
            expected[key] = expected.get(key, 0) + 1
    received: dict[tuple, int] = {}
    for key in relay.received:
        received[key] = received.get(key, 0) + 1
    return {
        "rows": len(rows), "sent": sum(s == EmailState.SENT for _, _, s, _ in rows),
        "failed_visibly": sum(s == EmailState.FAILED for _, _, s, _ in rows),
        "still_queued": sum(s == EmailState.QUEUED for _, _, s, _ in rows),
        "retried": sum(a > 1 for _, _, s, a in rows if s == EmailState.SENT),
        "worker_passes": passes, "received": len(relay.received), "refused_by_relay": relay.refused,
        "missing": [f"{k[1]} -> {k[0]}" for k, n in expected.items() if received.get(k, 0) < n],
        "doubled": [f"{k[1]} -> {k[0]} ×{n}" for k, n in received.items() if n > expected.get(k, 0)],
    }


# --- The run ---------------------------------------------------------------------------------------------------------


def start_parts(args, var: Path) -> dict:
    parts: dict = {"skipped": {}}
    try:
        parts["tmpfs"] = fault_parts.Tmpfs(var / "media", args.media_mb)
    except (OSError, subprocess.CalledProcessError) as exc:  # not root, or a container without mount rights
        detail = exc.stderr.decode(errors="replace").strip() if getattr(exc, "stderr", None) else str(exc)
        parts["skipped"]["disk-full"] = f"cannot mount a small tmpfs for the uploads ({detail})"
    if args.database == "postgresql":
        parts["pg"] = pg = fault_parts.PgCluster()
        pg.start()
        pg.execute("postgres", "CREATE DATABASE fabriques_fault")
    parts["relay"] = fault_parts.Relay()
    try:
        parts["clamd"] = fault_parts.Clamd(var / "clamd")
        parts["clamd"].start()
    except RuntimeError as exc:
        parts.pop("clamd", None)
        parts["skipped"]["clamd"] = str(exc)
    return parts


def stop_parts(parts: dict) -> None:
    for name in ("relay", "clamd"):
        with contextlib.suppress(Exception):
            parts[name].stop() if name in parts else None
    if "pg" in parts:
        parts["pg"].remove()
    if "tmpfs" in parts:
        parts["tmpfs"].unmount()


def chosen_faults(args, parts: dict) -> list[str]:
    wanted = ALL_FAULTS if args.faults == "all" else args.faults.split(",")
    unknown = set(wanted) - set(ALL_FAULTS)
    if unknown:
        raise SystemExit(f"Unknown faults: {', '.join(sorted(unknown))} (choose among {', '.join(ALL_FAULTS)})")
    why = {"pg-restart": "PostgreSQL only: SQLite has no server to stop",
           "read-only": "PostgreSQL only: a file mode cannot make SQLite read-only for root"}
    for name in wanted:
        if name in PG_ONLY and args.database != "postgresql":
            parts["skipped"][name] = why[name]
    return [f for f in wanted if f not in parts["skipped"]]


def run(args) -> int:
    var = Path(args.var_dir)
    var.mkdir(parents=True, exist_ok=True)
    parts = start_parts(args, var)
    try:
        return run_with(args, var, parts)
    finally:
        stop_parts(parts)


def run_with(args, var: Path, parts: dict) -> int:  # noqa: PLR0915 - one linear script, step by step
    faults = chosen_faults(args, parts)
    url = parts["pg"].url("fabriques_fault") if "pg" in parts else None
    os.environ["FABRIQUES_SECRET_KEY"] = load.SECRET
    out = io.StringIO()
    began = time.monotonic()
    with contextlib.redirect_stdout(out if args.quiet else sys.stdout):
        generate.setup(var_dir=str(var), database_url=url, fresh=True)
        data = generate.generate(n=0, drafts=args.clients * len(faults), seed=args.seed)
        generate.write_sessions(var / "sessions.json", data)
    applicants = json.loads((var / "sessions.json").read_text(encoding="utf-8"))["applicants"]
    env = {**load.server_env(str(var), url, proof=False), "FABRIQUES_EMAIL_HOST": "127.0.0.1",
           "FABRIQUES_EMAIL_PORT": str(parts["relay"].port), "FABRIQUES_EMAIL_TLS": "0",
           "FABRIQUES_MIN_FREE_MB": "1", "FABRIQUES_CLAMD": parts["clamd"].address if "clamd" in parts else "",
           # The deposit's notice is sent right after the commit, from the request, so that the relay's fault bites
           # mid-rush (production leaves it to the worker, with the proof: tests/dossiers/test_proof_queue.py).
           "FABRIQUES_DEPOSIT_PROOF_QUEUE": "0"}
    (var / "static").mkdir(exist_ok=True)
    server = Server(env=env, workers=args.workers, port=fault_parts.free_port(), log_dir=var / "logs")
    server.start()
    prepared_s = time.monotonic() - began
    injector = Faults(args, parts, env)
    tallies: dict[str, FaultTally] = {}
    records: dict[str, dict] = {}
    try:
        for i, name in enumerate(faults):
            tally, done, record = FaultTally(), threading.Event(), {"fault": name}
            mine = applicants[i * args.clients:(i + 1) * args.clients]
            if name == "smtp":
                parts["relay"].switch("refuse")
            injector.witness = FaultClient(base_url=server.url, session=mine[0]["session"], dossier=mine[0]["dossier"],
                                           tally=tally, patience=args.patience, seed=args.seed)
            threads = [threading.Thread(target=injector.inject, args=(name, tally, done, record)),
                       threading.Thread(target=health_probe, args=(server.url, tally, done))]
            for t in threads:
                t.start()
            t0 = time.monotonic()
            try:
                rush(base_url=server.url, applicants=mine, tally=tally, args=args, seed=args.seed + i,
                     uploads=name in UPLOADING)
            finally:
                record["rush_s"] = round(time.monotonic() - t0, 1)
                done.set()
                for t in threads:
                    t.join()
            record["mid_rush"] = "acked_before" in record and record["acked_before"] < len(tally.keys)
            tallies[name], records[name] = tally, record
            if not args.quiet:
                print(f"{name}: {record}", flush=True)
    finally:
        server.stop()
    all_keys = {k: v for t in tallies.values() for k, v in t.keys.items()}
    all_acked = {k for t in tallies.values() for k in t.acked}
    findings = crash_checks.check_versions(keys=all_keys, acked=all_acked, retried={}, wave_slug=WAVE_SLUG)
    crash_checks.check_half_deposits(findings, wave_slug=WAVE_SLUG, proof=False)
    crash_checks.check_audit_chain(findings, env)
    uploads = check_uploads(tallies, clamd="clamd" in parts)
    mail = check_mail(env, parts["relay"])
    found = _found_keys(all_acked)
    result = summary(args, faults, parts, tallies, records, findings, uploads, mail, found,
                     prepared_s, time.monotonic() - began)
    print_tables(result)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return verdict(result)


def _found_keys(acked: set[str]) -> set[str]:
    from fabriques.dossiers.models import DossierVersion

    return set(DossierVersion.objects.filter(submission_key__in=acked).values_list("submission_key", flat=True))


def summary(args, faults, parts, tallies, records, findings, uploads, mail, found,  # noqa: PLR0917 - one report
            prepared_s, elapsed) -> dict:
    per_fault = {}
    for name in faults:
        t, r = tallies[name], records[name]
        per_fault[name] = {
            **r, "clients": args.clients, "behaviours": t.behaviours, "requests": t.requests,
            "deposit_posts": t.posts, "deposits_acknowledged": len(t.acked),
            "deposits_found": len(found & set(t.acked)), "lost": len(set(t.acked) - found),
            "uploads_sent": t.uploads_sent, "uploads_acknowledged": len(t.uploads_acked),
            "refused_antivirus_down": t.refused_av, "refused_disk_full": t.refused_disk,
            "refused_other": t.refused_other, "told_retry_503": t.told_retry, "bad_5xx": t.bad_5xx,
            "connection_errors": t.connection_errors, "banner_pages": t.banner_pages, "gave_up": t.gave_up,
            "refused": t.refused, "health": t.health,
        }
    return {
        "database": args.database, "clients_per_fault": args.clients, "workers": args.workers, "seed": args.seed,
        "load_before": os.getloadavg()[0], "faults": per_fault, "skipped": parts["skipped"],
        "deposits": {"versions_found": findings.versions_found, "lost": findings.lost,
                     "incomplete": findings.incomplete, "bad_fingerprint": findings.bad_fingerprint,
                     "duplicates": findings.duplicates, "half_deposits": findings.half_deposits,
                     "audit_chain": findings.audit_chain},
        "uploads": uploads, "mail": mail, "prepared_s": round(prepared_s, 1), "elapsed_s": round(elapsed, 1),
    }


def verdict(s: dict) -> int:
    d, u, m = s["deposits"], s["uploads"], s["mail"]
    bad = [name for name in ("lost", "incomplete", "bad_fingerprint", "duplicates", "half_deposits") if d[name]]
    bad += [f"uploads {name}" for name in ("lost", "altered", "duplicates", "unscanned", "orphan_files",
                                           "rows_without_file") if u[name]]
    bad += [f"mail {name}" for name in ("missing", "doubled") if m[name]]
    bad += ["mail still queued"] if m["still_queued"] else []
    bad += ["audit chain"] if not d["audit_chain"].startswith("ok") else []
    for name, f in s["faults"].items():
        bad += [f"{name}: {what}" for what in ("bad_5xx", "gave_up", "refused", "refused_other") if f[what]]
        bad += [f"{name}: {f['lost']} lost"] if f["lost"] else []
    if bad:
        print("\nFAILED: " + "; ".join(bad))
        return 1
    late = [name for name, f in s["faults"].items() if not f["mid_rush"]]
    if late:
        print(f"\nNo fault during the rush for: {', '.join(late)} (raise --clients).")
        return 2
    print("\nOK: nothing acknowledged lost, doubled or half-written; every e-mail sent once; every 5xx said "
          "« réessayez ».")
    return 0


def print_tables(s: dict) -> None:
    print(f"\n{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {s['database']}, gunicorn {s['workers']} workers, "
          f"{s['clients_per_fault']} applicants per fault, seed {s['seed']}, base ready in {s['prepared_s']} s, "
          f"total {s['elapsed_s']} s, load average {s['load_before']:.1f}")
    for name, why in s["skipped"].items():
        print(f"  skipped {name}: {why}")
    rows = [("injected", lambda f: f"{f.get('at', '—')} ({f.get('what', 'never')})"),
            ("deposit / upload POSTs in flight when injected",
             lambda f: f"{f.get('posts_in_flight', '—')} / {f.get('uploads_in_flight', '—')}"),
            ("deposits / uploads acknowledged before",
             lambda f: f"{f.get('acked_before', '—')} / {f.get('uploads_before', '—')}"),
            ("requests sent", lambda f: f["requests"]),
            ("uploads acknowledged / sent", lambda f: f"{f['uploads_acknowledged']} / {f['uploads_sent']}"),
            ("uploads refused: antivirus down / disk full",
             lambda f: f"{f['refused_antivirus_down']} / {f['refused_disk_full']}"),
            ("503 « réessayez » / other 5xx", lambda f: f"{f['told_retry_503']} / {len(f['bad_5xx'])}"),
            ("pages with the read-only banner", lambda f: f["banner_pages"]),
            ("an applicant opening the deposit page meanwhile", lambda f: f.get("witness", "—")),
            ("/sante/ answers", lambda f: ", ".join(f"{k} ×{n}" for k, n in sorted(f["health"].items()))),
            ("deposits acknowledged", lambda f: f["deposits_acknowledged"]),
            ("deposits found", lambda f: f["deposits_found"]), ("lost", lambda f: f["lost"]),
            ("rush (s)", lambda f: f["rush_s"])]
    names = list(s["faults"])
    print("\n| | " + " | ".join(names) + " |\n|---|" + "---:|" * len(names))
    for label, get in rows:
        print(f"| {label} | " + " | ".join(str(get(s["faults"][n])) for n in names) + " |")
    d, u, m = s["deposits"], s["uploads"], s["mail"]
    print(f"\nDeposits: {d['versions_found']} versions; lost {len(d['lost'])}, incomplete {len(d['incomplete'])}, "
          f"bad fingerprint {len(d['bad_fingerprint'])}, duplicates {len(d['duplicates'])}, half-deposits "
          f"{len(d['half_deposits'])}; audit chain {d['audit_chain']}")
    print(f"Uploads: {u['rows']} rows; lost {len(u['lost'])}, altered {len(u['altered'])}, duplicates "
          f"{len(u['duplicates'])}, stored unscanned {len(u['unscanned'])}, orphan files {len(u['orphan_files'])}, "
          f"rows without file {len(u['rows_without_file'])}")
    print(f"E-mails: {m['rows']} in the outbox, {m['sent']} sent ({m['retried']} after a failed attempt), "
          f"{m['failed_visibly']} failed visibly, {m['still_queued']} still queued; relay received {m['received']}, "
          f"refused {m['refused_by_relay']} recipients; missing {len(m['missing'])}, doubled {len(m['doubled'])}; "
          f"worker passes {m['worker_passes']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite",
                        help="postgresql: a throwaway cluster of the script's own (initdb/pg_ctl, temporary folder)")
    parser.add_argument("--faults", default="all", help=f"comma-separated among {','.join(ALL_FAULTS)}")
    parser.add_argument("--clients", type=int, default=60, help="applicants per fault")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--patience", type=float, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-down", type=float, default=3.0)
    parser.add_argument("--read-only-seconds", type=float, default=8.0,
                        help="below the ~15 s a sent e-mail waits to be recorded (beyond, it may leave twice)")
    parser.add_argument("--inject-delay", type=float, default=1.0,
                        help="longest wait after the first acknowledgement before a fault (0: at once)")
    parser.add_argument("--lock-seconds", type=float, default=25.0,
                        help="above 20 s the requests stop waiting (busy/lock timeout) and get the 503 page")
    parser.add_argument("--smtp-hang", type=float, default=20.0)
    parser.add_argument("--media-mb", type=int, default=32)
    parser.add_argument("--full-seconds", type=float, default=3.0)
    parser.add_argument("--clamd-down", type=float, default=3.0)
    parser.add_argument("--var-dir", help="throwaway folder (default: a new temporary folder, removed at the end)")
    parser.add_argument("--json-out")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    temporary = args.var_dir is None
    args.var_dir = args.var_dir or tempfile.mkdtemp(prefix="fabriques-faults-")
    try:
        code = run(args)
    finally:
        if temporary:
            shutil.rmtree(args.var_dir, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
