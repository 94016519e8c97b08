"""`python -m fabriques serve` (what `make run` starts): web server and job worker together, stopped together.

Real processes on a throwaway SQLite database; no mock."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# Its own SQLite file whatever the run's database (DATABASE_URL removed below): once per CI (tests/conftest.py).
pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> dict[int, str]:
    """pid -> command line of the processes whose parent is `pid` (from /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    var = tmp_path_factory.mktemp("serve-var")
    environment = {**os.environ, "FABRIQUES_VAR_DIR": str(var), "FABRIQUES_DEBUG": "1", "PYTHONUNBUFFERED": "1"}
    environment.pop("DATABASE_URL", None)
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "-m", "fabriques", "migrate", "--no-input", "-v0"], env=environment, check=True,
                   cwd=ROOT, timeout=300)
    return environment


def _start(env, port):
    command = [sys.executable, "-m", "fabriques", "serve", f"127.0.0.1:{port}", "--noreload"]
    # Started with SIGINT ignored, as a shell's background job is (CI runs may be): serve must still stop on Ctrl-C.
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,  # noqa: S603
                            preexec_fn=_ignore_sigint)  # noqa: PLW1509 - only sets a signal disposition


def _ignore_sigint():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _up(port) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/mentions-legales/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_serve_runs_the_web_server_and_the_worker_and_ctrl_c_stops_both(env):
    port = _free_port()
    serve = _start(env, port)
    try:
        assert _wait(lambda: _up(port)), "the web server did not answer"
        children = _children(serve.pid)
        assert sorted("run-jobs" in c for c in children.values()) == [False, True], children
        assert any("runserver" in c for c in children.values())

        serve.send_signal(signal.SIGINT)  # stops it even when started with SIGINT ignored (a background job)
        assert serve.wait(timeout=30) == 0
        assert _wait(lambda: not any(_alive(pid) for pid in children), timeout=15), "a child outlived serve"
        assert not _up(port)
    finally:
        if serve.poll() is None:
            serve.kill()
        serve.stdout.close()


def test_when_the_worker_dies_the_web_server_stops_too(env):
    port = _free_port()
    serve = _start(env, port)
    try:
        assert _wait(lambda: _up(port)), "the web server did not answer"
        children = _children(serve.pid)
        [worker] = [pid for pid, c in children.items() if "run-jobs" in c]
        os.kill(worker, signal.SIGKILL)
        assert serve.wait(timeout=30) != 0
        assert _wait(lambda: not any(_alive(pid) for pid in children), timeout=15)
        assert not _up(port)
        assert "exécuteur de tâches arrêté" in serve.stdout.read().decode()
    finally:
        if serve.poll() is None:
            serve.kill()
        serve.stdout.close()
