"""Dates in exports are Paris wall-clock time, whatever form the database driver returns them in."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fabriques.exports.queries import paris_time


@pytest.mark.parametrize(("raw", "paris"), [
    ("2026-07-01 10:00:00.654321", dt.datetime(2026, 7, 1, 12, 0, 0)),  # SQLite text, summer time
    (dt.datetime(2026, 1, 15, 23, 30, 5, 1), dt.datetime(2026, 1, 16, 0, 30, 5)),  # SQLite parsed, winter
    (dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=dt.UTC), dt.datetime(2026, 3, 29, 1, 59, 59)),  # before the change
    (dt.datetime(2026, 3, 29, 1, 0, 0, tzinfo=dt.UTC), dt.datetime(2026, 3, 29, 3, 0, 0)),  # after it
    (dt.datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("America/Cayenne")), dt.datetime(2026, 10, 25, 5, 30)),
])
def test_database_dates_become_naive_paris_time_without_microseconds(raw, paris):
    assert paris_time(raw) == paris
