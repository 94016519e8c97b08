"""A database that refuses writes or does not answer: tell people, in French, instead of a traceback.

- `database_fault(exc)` says whether an exception means the database is unavailable ("down") or refuses
  writes ("read_only": a PostgreSQL standby or `default_transaction_read_only`, a read-only SQLite file),
  or neither. The 500 handler (theme/views.py) turns the first two into a 503 page that says « réessayez ».
- A refused write marks this process read-only for `READ_ONLY_MEMORY` seconds (`/sante/` marks it too, when the
  load balancer's check finds the database read-only): `ReadOnlyBannerMiddleware` then flags every request and
  the `read_only` context processor shows a banner, without any query per request.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError

READ_ONLY_MEMORY = 60.0  # seconds a read-only answer is remembered in this process
_state = {"read_only_until": 0.0}

_READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction
_READ_ONLY_TEXTS = ("read-only transaction", "readonly database", "read only database",
                    "recovery is in progress", "hot standby")
_SQLITE_UNAVAILABLE = ("database is locked", "database table is locked", "unable to open database", "disk i/o error",
                       "database or disk is full")


def database_fault(exc: BaseException | None) -> str:
    """"read_only", "down" or "" for an exception raised by a request."""
    if not isinstance(exc, DatabaseError):
        return ""
    cause = exc.__cause__ or exc
    text = str(cause).lower()
    if getattr(cause, "sqlstate", "") == _READ_ONLY_SQLSTATE or any(t in text for t in _READ_ONLY_TEXTS):
        read_only_mark()
        return "read_only"
    if isinstance(exc, InterfaceError):
        return "down"
    if isinstance(exc, OperationalError):
        if type(cause).__module__.startswith("sqlite3"):  # SQLite also says "no such table" this way: a bug, a 500
            return "down" if any(t in text for t in _SQLITE_UNAVAILABLE) else ""
        return "down"  # PostgreSQL: connection refused or cut, server shutting down, lock wait over the timeout
    return ""


def database_fault_in_chain(exc: BaseException | None) -> str:
    """`database_fault` of the exception or of one it was raised from or while handling (e.g. a session that could
    not be saved in a read-only database: SessionInterrupted ← UpdateError ← the database's error)."""
    for _ in range(6):
        if exc is None:
            return ""
        if fault := database_fault(exc):
            return fault
        exc = exc.__cause__ or exc.__context__
    return ""


def read_only_mark(seconds: float = READ_ONLY_MEMORY) -> None:
    _state["read_only_until"] = time.monotonic() + seconds


def read_only_clear() -> None:
    _state["read_only_until"] = 0.0


def read_only_now() -> bool:
    return time.monotonic() < _state["read_only_until"]


class ReadOnlyBannerMiddleware:
    """Flags the request (`request.fabriques_read_only`) while this process knows the database refuses writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.fabriques_read_only = read_only_now()
        return self.get_response(request)


def read_only(request) -> dict:
    """Context processor: `READ_ONLY` for the banner in theme/base.html."""
    return {"READ_ONLY": getattr(request, "fabriques_read_only", False)}


# --- Disk space: uploads, exports and backups share the media file system ----------------------------------------


def free_bytes(path) -> int:
    """Free space of the file system holding `path` (its nearest existing parent)."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def min_free_bytes() -> int:
    return int(getattr(settings, "FABRIQUES_MIN_FREE_MB", 50)) * 1024 * 1024
