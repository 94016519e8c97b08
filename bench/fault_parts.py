"""Real components that bench/fault_safety.py breaks on purpose: a PostgreSQL cluster of its own, a small tmpfs
for the uploaded files, an SMTP relay (aiosmtpd) that refuses, hangs or accepts, and a clamd with our own
signatures. Each is started and stopped here; nothing outside the folders it is given is touched (the PostgreSQL
cluster lives in a fresh temporary folder, owned by the `postgres` user when we are root).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_root() -> bool:
    return os.geteuid() == 0


# --- PostgreSQL: a throwaway cluster, stopped and started at will -------------------------------------------------


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(name)


class PgCluster:
    """initdb + pg_ctl in a temporary folder, on a free port, socket in that folder, loopback only."""

    def __init__(self):
        self.initdb, self.pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise RuntimeError("initdb/pg_ctl not found (apt-get install postgresql)")
        self.root = Path(tempfile.mkdtemp(prefix="fabriques-fault-pg-"))
        self.data, self.port = self.root / "data", free_port()
        if is_root():
            shutil.chown(self.root, "postgres", "postgres")
        self._run([self.initdb, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-U", "postgres",
                   "-D", str(self.data)])

    def _run(self, cmd: list[str]) -> None:
        if is_root():
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, cwd=self.root)

    def start(self) -> float:
        began = time.monotonic()
        self._run([self.pg_ctl, "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-o",
                   f"-p {self.port} -k {self.root} -c listen_addresses='' -c max_connections=60", "start"])
        return time.monotonic() - began

    def stop(self, mode: str = "immediate") -> None:
        """`immediate`: every backend dies at once, as in a crash or a failover (recovery from the WAL at start)."""
        self._run([self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop"])

    def url(self, name: str) -> str:
        return f"postgres://postgres@/{name}?host={self.root}&port={self.port}"

    def execute(self, dbname: str, *statements: str) -> None:
        import psycopg

        with psycopg.connect(dbname=dbname, user="postgres", host=str(self.root), port=self.port,
                             autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("fast")
        shutil.rmtree(self.root, ignore_errors=True)


# --- A small real file system for the uploaded files ----------------------------------------------------------------


class Tmpfs:
    """`mount -t tmpfs -o size=…`: a file system that really fills (ENOSPC). Needs root."""

    def __init__(self, path: Path, size_mb: int):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs", str(path)],
                       check=True, capture_output=True)

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.path)], check=False, capture_output=True)


class Filler:
    """Another writer on the same disk (a backup, an export): writes until the disk is full, holds, then goes."""

    def __init__(self, path: Path):
        self.path, self.written = path, 0

    def fill(self) -> int:
        chunk = os.urandom(64 * 1024)
        with open(self.path, "wb") as f:
            try:
                while True:
                    f.write(chunk)
                    f.flush()
                    self.written += len(chunk)
            except OSError:  # ENOSPC: the disk is full
                pass
        return self.written

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


# --- An SMTP relay that refuses, hangs, then accepts ---------------------------------------------------------------


class Relay:
    """aiosmtpd on 127.0.0.1. Modes: `accept` (every message recorded), `refuse` (451 to every recipient),
    `hang` (the port accepts connections and never says a word, as a relay stuck for an hour)."""

    def __init__(self):
        self.port, self.mode, self.lock = free_port(), "accept", threading.Lock()
        self.received: list[tuple[tuple[str, ...], str]] = []
        self.refused = 0
        self._controller = self._tarpit = None
        self._held: list[socket.socket] = []
        self._serve()

    def _serve(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def switch(self, mode: str) -> None:
        if mode == self.mode:
            return
        if mode == "hang":
            self._controller.stop()
            self._tarpit = socket.socket()
            self._tarpit.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._tarpit.bind(("127.0.0.1", self.port))
            self._tarpit.listen(64)
            threading.Thread(target=self._hold, args=(self._tarpit,), daemon=True).start()
        elif self.mode == "hang":
            with contextlib.suppress(OSError):
                self._tarpit.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self._tarpit.close()
            for conn in self._held:
                conn.close()
            self._held.clear()
            self._serve()
        self.mode = mode

    def _hold(self, listener: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                self._held.append(conn)

    def stop(self) -> None:
        if self.mode == "hang":
            self.switch("accept")
        self._controller.stop()


class _Handler:
    def __init__(self, relay: Relay):
        self.relay = relay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if self.relay.mode == "refuse":
            with self.relay.lock:
                self.relay.refused += 1
            return "451 4.3.0 Relais momentanement indisponible"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.relay.lock:
            self.relay.received.append((tuple(sorted(envelope.rcpt_tos)), str(message["subject"]).strip()))
        return "250 Message accepted for delivery"


# --- clamd with our own signature (EICAR), stopped and started -----------------------------------------------------


CLAMD = shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin:/usr/local/sbin")
SIGTOOL = shutil.which("sigtool")


class Clamd:
    def __init__(self, root: Path):
        if not (CLAMD and SIGTOOL):
            raise RuntimeError("clamd/sigtool not installed (apt-get install clamav-daemon clamav)")
        self.root = root
        (root / "db").mkdir(parents=True, exist_ok=True)
        hex_body = subprocess.run([SIGTOOL, "--hex-dump"], input=EICAR, check=True,
                                  capture_output=True).stdout.decode().strip()
        (root / "db" / "fabriques-fault.ndb").write_text(f"Fabriques.Fault.Eicar:0:*:{hex_body}\n")
        self.sock = root / "clamd.sock"
        (root / "clamd.conf").write_text("\n".join([
            f"LocalSocket {self.sock}", f"DatabaseDirectory {root / 'db'}", "Foreground yes",
            f"LogFile {root / 'clamd.log'}", "LogSyslog no", "StreamMaxLength 25M", "MaxThreads 4", "",
        ]))
        self.proc = None
        self.address = f"unix:{self.sock}"

    def start(self, timeout: float = 90) -> float:
        began = time.monotonic()
        self.proc = subprocess.Popen([CLAMD, "-c", str(self.root / "clamd.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not self.ping():
            if self.proc.poll() is not None or time.monotonic() - began > timeout:
                self.proc.kill()
                raise RuntimeError(f"clamd did not start; see {self.root / 'clamd.log'}")
            time.sleep(0.1)
        return time.monotonic() - began

    def ping(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(2)
                s.connect(str(self.sock))
                s.sendall(b"zPING\0")
                return s.recv(16).startswith(b"PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """The daemon goes away (crash, update, OOM): SIGKILL, its socket left behind and refusing."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=20)
