"""`python -m fabriques serve [addr:port]`: the web server and the job worker together (what `make run` starts).

One command for both: Ctrl-C, SIGTERM, or either process ending stops the other, so no worker is left behind and
no server runs without its worker (exports, webhooks, queued e-mails would wait for ever)."""

import contextlib
import os
import signal
import subprocess  # nosec B404 - runs our own interpreter
import sys
import time

from django.core.management.base import BaseCommand

from fabriques.mail.links import DEV_SITE_URL_ENV

GRACE_SECONDS = 10


class Command(BaseCommand):
    help = ("Lance le serveur web de développement et l’exécuteur de tâches de fond (run-jobs) ensemble ; "
            "arrêter l’un (ou Ctrl-C) arrête l’autre.")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="adresse:port du serveur web")
        parser.add_argument("--noreload", action="store_true", help="sans rechargement automatique du code")

    def handle(self, *args, addrport="127.0.0.1:8000", noreload=False, **options):
        python = [sys.executable, "-m", "fabriques"]
        server_args = ["runserver", addrport, *(["--noreload"] if noreload else [])]
        # Links in e-mails the worker queues point at this server in development (fabriques.mail.links).
        env = {**os.environ}
        env.setdefault(DEV_SITE_URL_ENV, dev_site_url(addrport))
        # Each child leads its own process group, so that stopping it also stops runserver's autoreload child.
        children = {
            # Our own interpreter and fixed arguments (addrport is passed as one argv item, no shell).
            "exécuteur de tâches": subprocess.Popen([*python, "run-jobs"], start_new_session=True, env=env),  # noqa: S603  # nosec B603 - our own interpreter, fixed argv
            "serveur web": subprocess.Popen([*python, *server_args], start_new_session=True, env=env),  # noqa: S603  # nosec B603 - our own interpreter, fixed argv
        }
        self.stdout.write(f"Serveur web (pid {children['serveur web'].pid}) et exécuteur de tâches "
                          f"(pid {children['exécuteur de tâches'].pid}) lancés ; Ctrl-C arrête les deux.")
        # Ctrl-C (SIGINT) and SIGTERM both stop the pair. SIGINT is set explicitly: a command started in the background
        # by a non-interactive shell inherits SIGINT ignored, and Python then installs no KeyboardInterrupt for it.
        previous = {signum: signal.signal(signum, _raise_interrupt) for signum in (signal.SIGTERM, signal.SIGINT)}
        code = 0
        try:
            while True:
                ended = [(name, child.returncode) for name, child in children.items() if child.poll() is not None]
                if ended:
                    name, code = ended[0]
                    self.stderr.write(f"{name} arrêté (code {code}) : arrêt de l’autre processus.")
                    break
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("Arrêt du serveur web et de l’exécuteur de tâches.")
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            _stop_all(children.values())
        if code:
            sys.exit(code)


def dev_site_url(addrport: str) -> str:
    """http://host:port of runserver's address argument ("8001", "0.0.0.0:8001", "[::1]:8001")."""
    host, _, port = addrport.rpartition(":")
    if not host:
        host, port = "127.0.0.1", addrport
    if host in ("0.0.0.0", "[::]", "::"):  # noqa: S104  # nosec B104 - not a bind: the address a wildcard bind is reached on
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _stop_all(children) -> None:
    """SIGTERM to each child's process group (runserver's autoreload child is in it), then SIGKILL after
    GRACE_SECONDS. Only groups whose leader has not been reaped are signalled, so the ids are still ours."""
    for child in children:
        if child.poll() is None:
            _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)  # the leader is not reaped yet: its group id is still its own
            child.wait()


def _signal_group(child, signum) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)
