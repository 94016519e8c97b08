"""The database renders export values as the text `str()` gives of the typed values (SQLite and PostgreSQL)."""

import datetime as dt
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, DateTimeField, IntegerField, TextField, UUIDField, Value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fabriques.exports.queries import paris_time
from fabriques.exports.sqltext import AsText, kind_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_row():
    get_user_model().objects.create_user(email="ligne@exemple.fr", password="x" * 12)
    return get_user_model().objects.all()[:1]


def rendered(one_row, values: list, field, kind: str) -> list[str]:
    """The database's text of each value (one query per 40 values)."""
    out = []
    for start in range(0, len(values), 40):
        chunk = values[start:start + 40]
        names = {f"v{i}": AsText(Value(v, output_field=field), kind) for i, v in enumerate(chunk)}
        out += list(one_row.annotate(**names).values_list(*names).get())
    return out


def _last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 31)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def test_dates_around_every_summer_time_change_2000_2040_are_paris_wall_clock_time(one_row):
    moments = []
    for year in range(2000, 2041):
        for month in (3, 10):
            change = dt.datetime.combine(_last_sunday(year, month), dt.time(1), tzinfo=dt.UTC)
            moments += [change + dt.timedelta(seconds=s) for s in (-3601, -1, 0, 1, 3599)]
    moments += [dt.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),  # microseconds cut, not rounded
                dt.datetime(2027, 1, 1, 0, 0, tzinfo=dt.UTC), dt.datetime(2024, 2, 29, 22, 30, 1, 5, tzinfo=dt.UTC)]

    assert rendered(one_row, moments, DateTimeField(), "datetime") == [str(paris_time(m)) for m in moments]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.datetimes(min_value=dt.datetime(1996, 1, 1), max_value=dt.datetime(2090, 12, 31), timezones=st.just(dt.UTC)))
def test_any_date_is_paris_wall_clock_time(one_row, moment):
    # the EU rule holds from 1996 (summer time ended in September before); the platform's dates are from 2019
    # on, and a change of the rule in the time-zone database would fail these tests
    assert rendered(one_row, [moment], DateTimeField(), "datetime") == [str(paris_time(moment))]


def test_null_is_empty_and_other_kinds_read_as_python_writes_them(one_row):
    key = uuid.UUID("12345678-9abc-4def-8123-456789abcdef")
    summer = dt.datetime(2026, 7, 1, 10, tzinfo=dt.UTC)

    assert rendered(one_row, [None, summer], DateTimeField(), "datetime") == ["", str(paris_time(summer))]
    assert rendered(one_row, [True, False, None], BooleanField(), "bool") == ["oui", "non", ""]
    assert rendered(one_row, [0, -12, 150000, None], IntegerField(), "int") == ["0", "-12", "150000", ""]
    assert rendered(one_row, [key, None], UUIDField(), "uuid") == [str(key), ""]
    assert rendered(one_row, ["Lieu « é », \"x\"", "", None], TextField(), "text") == ["Lieu « é », \"x\"", "", ""]


def test_a_field_without_a_text_rendering_is_refused_rather_than_exported_wrong():
    from django.db.models import DecimalField, JSONField

    assert kind_of(IntegerField()) == "int"
    with pytest.raises(ValueError, match="JSONField"):
        kind_of(JSONField())
    with pytest.raises(ValueError, match="DecimalField"):
        kind_of(DecimalField())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_subnormal=False),
                          st.integers(min_value=-10**6, max_value=10**6).map(float),
                          st.sampled_from([0.0, 2.5, 3.3333333333333335, 43.604652, 1e-3, 1e-5, None])),
                min_size=1, max_size=40))
def test_floats_read_as_python_writes_them_on_postgresql_and_stay_numbers_on_sqlite(one_row, values):
    from django.db import connection
    from django.db.models import FloatField

    if connection.vendor == "sqlite":  # 15 significant digits in SQL: Python writes them (queries.csv_floats)
        with pytest.raises(ValueError, match="Python"):
            rendered(one_row, values, FloatField(), "float")
        return
    assert rendered(one_row, values, FloatField(), "float") == ["" if v is None else repr(v) for v in values]
