"""Antivirus scanning of uploads through clamd's INSTREAM command (our own small socket client).

The scanner is set by ``FABRIQUES_CLAMD``: ``unix:/run/clamav/clamd.ctl`` or ``tcp:host:3310``; empty means
no scanner, and files are then stored with the state ``not_scanned``. Policy when a scanner is configured
but does not answer (down, timeout, stream too large): the upload is refused with a message asking to try
again, never stored unscanned (see docs/reliability.md, "Antivirus").
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
REPLY_LIMIT = 4096


class ScanState(models.TextChoices):
    CLEAN = "clean", "Analysé, sain"
    INFECTED = "infected", "Infecté"
    NOT_SCANNED = "not_scanned", "Non analysé"
    ERROR = "error", "Analyse impossible"


INFECTED_MESSAGE = (
    "L’antivirus a détecté un contenu malveillant dans ce fichier ({signature}) : il n’a pas été enregistré. "
    "Analysez votre poste, puis envoyez une copie saine du document."
)
UNAVAILABLE_MESSAGE = (
    "L’analyse antivirus est momentanément indisponible : le fichier n’a pas été enregistré. "
    "Réessayez dans quelques minutes."
)


@dataclass(frozen=True)
class ScanResult:
    state: ScanState
    signature: str = ""
    detail: str = ""

    @property
    def refusal(self) -> str:
        """The French message that refuses the upload, or "" when the file may be stored."""
        if self.state == ScanState.INFECTED:
            return INFECTED_MESSAGE.format(signature=self.signature)
        if self.state == ScanState.ERROR:
            return UNAVAILABLE_MESSAGE
        return ""


@dataclass(frozen=True)
class ClamdAddress:
    family: int
    target: str | tuple[str, int]


def parse_address(value: str) -> ClamdAddress | None:
    """``unix:/path`` or ``tcp:host:port`` as a socket address; None for an empty value."""
    value = (value or "").strip()
    if not value:
        return None
    scheme, _, rest = value.partition(":")
    if scheme == "unix" and rest:
        return ClamdAddress(socket.AF_UNIX, rest)
    if scheme == "tcp":
        host, _, port = rest.rpartition(":")
        if host and port.isdigit():
            return ClamdAddress(socket.AF_INET, (host.strip("[]"), int(port)))
    raise ImproperlyConfigured(
        f"FABRIQUES_CLAMD={value!r}: expected 'unix:/path/to/clamd.sock' or 'tcp:host:port' (or empty)."
    )


def _connect(address: ClamdAddress, timeout: float) -> socket.socket:
    if address.family == socket.AF_UNIX:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(address.target)
        except OSError:
            sock.close()
            raise
        return sock
    return socket.create_connection(address.target, timeout=timeout)


def _read_reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0") and len(data) < REPLY_LIMIT:
        chunk = sock.recv(REPLY_LIMIT)
        if not chunk:
            break
        data += chunk
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def parse_reply(reply: str) -> ScanResult:
    """clamd's answer to INSTREAM: ``stream: OK``, ``stream: <Name> FOUND`` or ``... ERROR``."""
    if reply.endswith(" FOUND"):
        signature = reply.removeprefix("stream:").removesuffix(" FOUND").strip()
        return ScanResult(ScanState.INFECTED, signature=signature or "signature inconnue")
    if reply == "stream: OK":
        return ScanResult(ScanState.CLEAN)
    return ScanResult(ScanState.ERROR, detail=reply or "no reply")


def _send_stream(sock: socket.socket, fileobj) -> None:
    sock.sendall(b"zINSTREAM\0")
    while True:
        chunk = fileobj.read(CHUNK_SIZE)
        if not chunk:
            break
        sock.sendall(struct.pack("!L", len(chunk)) + chunk)
    sock.sendall(struct.pack("!L", 0))


def scan_stream(fileobj, *, address: ClamdAddress, timeout: float) -> ScanResult:
    """Send the file's bytes to clamd and return its verdict; any network failure is an ``error`` result."""
    fileobj.seek(0)
    try:
        with _connect(address, timeout) as sock:
            # clamd closes the stream early when it passes StreamMaxLength, after writing why: read that reply.
            with contextlib.suppress(OSError):
                _send_stream(sock, fileobj)
            return parse_reply(_read_reply(sock))
    except OSError as exc:
        return ScanResult(ScanState.ERROR, detail=f"{type(exc).__name__}: {exc}")
    finally:
        fileobj.seek(0)


@checks.register(checks.Tags.security)
def check_clamd_setting(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A malformed FABRIQUES_CLAMD fails `check` and `migrate` at deployment, not the first upload."""
    try:
        configured_address()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="fabriques.E001")]
    return []


def configured_address() -> ClamdAddress | None:
    return parse_address(getattr(settings, "FABRIQUES_CLAMD", ""))


def scan_upload(upload) -> ScanResult:
    """The verdict on an uploaded file: clean/infected from clamd, error if it fails, not_scanned without one."""
    address = configured_address()
    if address is None:
        return ScanResult(ScanState.NOT_SCANNED)
    result = scan_stream(upload, address=address, timeout=getattr(settings, "FABRIQUES_CLAMD_TIMEOUT", 30.0))
    if result.state == ScanState.INFECTED:
        logger.warning("antivirus: upload refused, signature %s", result.signature)
    elif result.state == ScanState.ERROR:
        logger.error("antivirus: scanner unavailable, upload refused (%s)", result.detail)
    return result
