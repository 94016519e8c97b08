"""`write_contention` tells a write that waited too long for another writer from other database errors."""

import sqlite3
from types import SimpleNamespace

import psycopg
import pytest
from django.db.utils import DatabaseErrorWrapper, OperationalError

from fabriques.security.degraded import DatabaseBusy, contention_refused, write_contention


def _django_error(driver, driver_error):
    """The error as Django's backend raises it (its driver's error as the cause)."""
    try:
        with DatabaseErrorWrapper(SimpleNamespace(Database=driver, errors_occurred=False)):
            raise driver_error
    except Exception as exc:
        return exc
    raise AssertionError


@pytest.mark.parametrize("text", ["database is locked", "database table is locked: dossiers_answer"])
def test_sqlite_busy_and_table_locks_are_contention(text):
    assert write_contention(_django_error(sqlite3, sqlite3.OperationalError(text)))


@pytest.mark.parametrize("error", [psycopg.errors.LockNotAvailable, psycopg.errors.SerializationFailure,
                                   psycopg.errors.DeadlockDetected])
def test_postgresql_lock_timeout_serialization_failure_and_deadlock_are_contention(error):
    assert write_contention(_django_error(psycopg, error("waited too long")))


def test_other_database_errors_are_not_contention_and_pass_through():
    missing_table = _django_error(sqlite3, sqlite3.OperationalError("no such table: x"))
    assert not write_contention(missing_table)
    assert not write_contention(_django_error(psycopg, psycopg.errors.AdminShutdown("terminating connection")))
    assert not write_contention(ValueError("not a database error"))
    with pytest.raises(OperationalError), contention_refused():
        raise missing_table
    with pytest.raises(DatabaseBusy, match="réessayez dans un instant"), contention_refused():
        raise _django_error(sqlite3, sqlite3.OperationalError("database is locked"))
