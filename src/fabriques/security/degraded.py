"""A database that refuses writes or does not answer: tell people, in French, instead of a traceback.

- `database_fault(exc)` says whether an exception means the database is unavailable ("down") or refuses
  writes ("read_only": a PostgreSQL standby or `default_transaction_read_only`, a read-only SQLite file),
  or neither. The 500 handler (theme/views.py) turns the first two into a 503 page that says « réessayez ».
- A refused write marks this process read-only for `READ_ONLY_MEMORY` seconds (`/sante/` marks it too, when the
  load balancer's check finds the database read-only): `ReadOnlyBannerMiddleware` then flags every request and
  the `read_only` context processor shows a banner, without any query per request.
- A write that waited too long for another writer (`write_contention`) is a refusal where the form can be shown
  again: the autosaved forms' views run their write in `contention_refused()` and show `DatabaseBusy`'s French
  message with what was typed (status 503; the autosave tries again), instead of the 503 page.
"""

from __future__ import annotations

import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError

from fabriques.refusal import Refusal

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


_SQLITE_CONTENTION = ("database is locked", "database table is locked", "database schema is locked")
# lock_not_available (lock_timeout), serialization_failure, deadlock_detected
_PG_CONTENTION = ("55P03", "40001", "40P01")


def write_contention(exc: BaseException | None) -> bool:
    """Whether a database error means another writer held what this write needed past the wait allowed (SQLite busy
    past its timeout, or a table lock of the tests' shared in-memory database; PostgreSQL's lock timeout, a
    serialization failure, a deadlock): nothing was written, and the same write a moment later goes through."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc
    if type(cause).__module__.startswith("sqlite3"):
        return any(t in str(cause).lower() for t in _SQLITE_CONTENTION)
    return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) in _PG_CONTENTION


class DatabaseBusy(Refusal):
    """A write that waited too long for another one (two tabs, a co-writer, an export): refused, nothing written."""

    status = 503
    code = "busy"

    def __init__(self):
        super().__init__("Un autre enregistrement était en cours au même moment : le vôtre n’a pas été fait. "
                         "Votre saisie est conservée ; réessayez dans un instant.")


@contextmanager
def contention_refused():
    """Run a write; if it waited too long for another writer, raise `DatabaseBusy` (a refusal the view shows with the
    form and what was typed) instead of the error that would give the 503 page. Other database errors pass."""
    try:
        yield
    except OperationalError as exc:
        if write_contention(exc):
            raise DatabaseBusy from exc
        raise


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
