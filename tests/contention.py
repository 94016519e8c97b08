"""What the tests of concurrent writes share: a second connection that holds a write lock, as another request would."""

from contextlib import contextmanager

from django.db import connection, connections


@contextmanager
def another_writer_holding(model, pk: int, *, wait_ms: int = 200):
    """While it lasts, a second connection holds the database's write lock (SQLite: `BEGIN IMMEDIATE`) or the row
    `pk` of `model` (PostgreSQL: `SELECT … FOR UPDATE`), and this thread's connection (the test client's) waits at
    most `wait_ms` for a lock instead of 20 s. Needs committed rows: transactional tests."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            if other.vendor == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            else:
                cursor.execute("BEGIN")
                table = other.ops.quote_name(model._meta.db_table)
                cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk])  # noqa: S608 - a model's table
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
            else:
                cursor.execute(f"SET lock_timeout = '{int(wait_ms)}ms'")
        yield
    finally:
        with other.cursor() as cursor:
            cursor.execute("ROLLBACK")
        other.close()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA busy_timeout = 20000")
            else:
                cursor.execute("RESET lock_timeout")
