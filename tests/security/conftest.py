"""Security tests' fixtures: a real clamd with a signature database built here (EICAR).

Debian ships no signatures and the machines have no internet: the fixture writes a body signature of the
EICAR test string (`.ndb`: the string anywhere in a file, so the bare string is caught and so is a PDF
carrying it, which passes the type check and reaches the scanner), starts clamd on a unix socket and a
local TCP port in a temp dir, and stops it at the end of the module.
"""

import shutil
import socket
import subprocess
import time

import pytest

from tests.dossiers.factories import small_pdf

# The EICAR test string, assembled so that the repository never holds it in one piece.
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*").encode("ascii")
SIGNATURE = "Fabriques.Test.Eicar"
REPORTED = f"{SIGNATURE}.UNOFFICIAL"  # clamd's suffix for signatures not from ClamAV's own databases
CLAMD = shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin:/usr/local/sbin")
SIGTOOL = shutil.which("sigtool")
START_TIMEOUT_S = 60


def eicar_pdf() -> bytes:
    """A well-formed PDF (so the type check lets it through) that also carries the EICAR string."""
    return small_pdf("Devis") + b"% " + EICAR + b"\n"


def _signature_db(directory) -> None:
    """One body signature (`.ndb`): the EICAR string anywhere in a file, hex-encoded by sigtool."""
    directory.mkdir()
    hex_body = subprocess.run(  # noqa: S603 - our own arguments, installed sigtool
        [SIGTOOL, "--hex-dump"], input=EICAR, check=True, capture_output=True).stdout
    (directory / "fabriques-test.ndb").write_text(f"{SIGNATURE}:0:*:{hex_body.decode().strip()}\n")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ping(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(path)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    """A running clamd with our own signatures: {"unix": "unix:/…/clamd.sock", "tcp": "tcp:127.0.0.1:port"}."""
    if CLAMD is None or SIGTOOL is None:
        pytest.skip("clamd/sigtool not installed (apt-get install clamav-daemon clamav; .ci/run installs them)")
    root = tmp_path_factory.mktemp("clamd")
    _signature_db(root / "db")
    sock, port = root / "clamd.sock", _free_port()
    conf = root / "clamd.conf"
    conf.write_text("\n".join([
        f"LocalSocket {sock}", f"TCPSocket {port}", "TCPAddr 127.0.0.1", f"DatabaseDirectory {root / 'db'}",
        "Foreground yes", f"LogFile {root / 'clamd.log'}", "LogSyslog no", f"PidFile {root / 'clamd.pid'}",
        "StreamMaxLength 2M", "",
    ]))
    process = subprocess.Popen(  # noqa: S603 - our own arguments, installed clamd
        [CLAMD, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _ping(str(sock)):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (root / "clamd.log").read_text() if (root / "clamd.log").exists() else ""
            pytest.fail(f"clamd did not start: {process.stderr.read().decode()} {log}")
        time.sleep(0.2)
    yield {"unix": f"unix:{sock}", "tcp": f"tcp:127.0.0.1:{port}"}
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def scanner(clamd, settings):
    settings.FABRIQUES_CLAMD = clamd["unix"]
    settings.FABRIQUES_CLAMD_TIMEOUT = 10
    return clamd


@pytest.fixture
def scanner_down(settings, tmp_path):
    settings.FABRIQUES_CLAMD = f"unix:{tmp_path / 'no-clamd-here.sock'}"
    settings.FABRIQUES_CLAMD_TIMEOUT = 2


@pytest.fixture
def no_scanner(settings):
    settings.FABRIQUES_CLAMD = ""
