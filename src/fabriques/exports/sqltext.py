"""Values rendered as text by the database, as the CSV export writes them.

The CSV of 20,000 dossiers holds about 3 million values; converting each one in Python (dates to Paris
time, uuids, yes/no, None) cost more than reading them. Here each column is turned into its CSV text in
the SELECT itself, so the rows arrive as strings (as bytes on SQLite, see `queries.Block.csv_chunks`)
that only need quoting and joining (SQLite), or are written as CSV by PostgreSQL itself (COPY). On
SQLite floats stay numbers: its text form of a float has 15 significant digits where Python's `repr`
keeps the exact value, so they are written by Python; PostgreSQL's shortest exact form is Python's
but for the ".0" of a whole number, added here.

The text is the one `str()` gives of the typed value the XLSX/ODS writers receive (the export tests
compare both), e.g. a date-time is naive Paris time to the second: `2026-07-01 12:00:00`; a text value that
starts like a formula (`= + - @`, tab, CR) gets a leading apostrophe (`formulas.py`).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Expression, Field, TextField

from fabriques.exports.formulas import sql_text_cell_safe

INT_TYPES = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
             "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField"}
TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}


def kind_of(field: Field) -> str:
    """The rendering of a model field's values: text, int, float, datetime, bool or uuid."""
    internal = field.get_internal_type()
    if internal in TEXT_TYPES:
        return "text"
    if internal in INT_TYPES:
        return "int"
    kinds = {"FloatField": "float", "DateTimeField": "datetime", "BooleanField": "bool", "UUIDField": "uuid"}
    if internal not in kinds:
        raise ValueError(f"no CSV rendering for a {internal}")
    return kinds[internal]


def _eu_offsets() -> tuple[int, int]:
    """Winter and summer UTC offsets (hours) of the platform's time zone, which follows the EU rule."""
    zone = ZoneInfo(settings.TIME_ZONE)
    winter = dt.datetime(2026, 1, 15, tzinfo=zone).utcoffset()
    summer = dt.datetime(2026, 7, 15, tzinfo=zone).utcoffset()
    return int(winter.total_seconds() // 3600), int(summer.total_seconds() // 3600)


def _sqlite_local_time(x: str) -> str:
    """SQL (SQLite) of a UTC date-time stored as ISO text into local wall-clock time to the second.

    European summer time runs from the last Sunday of March to the last Sunday of October, changing at
    01:00 UTC (the rule since 1996: the platform's dates are later; tests compare with `zoneinfo`, so a
    change of the rule in the time-zone database would show); the last Sunday of a month of 31 days is
    the first Sunday on or after its 25th. The microseconds are cut before the shift (truncation, as the
    typed export does).
    """
    winter, summer = _eu_offsets()
    second = f"substr({x}, 1, 19)"

    def change(month: str) -> str:
        return f"date(substr({x}, 1, 4) || '-{month}-25', 'weekday 0') || ' 01:00:00'"

    shift = (f"CASE WHEN {second} >= {change('03')} AND {second} < {change('10')} "
             f"THEN '+{summer} hours' ELSE '+{winter} hours' END")
    return f"datetime({second}, {shift})"


SQLITE = {
    # text: a value starting like a spreadsheet formula gets a leading apostrophe (exports/formulas.py)
    "text": sql_text_cell_safe("COALESCE({x}, '')", vendor="sqlite"),
    "int": "COALESCE(CAST({x} AS TEXT), '')",
    "bool": "CASE WHEN {x} IS NULL THEN '' WHEN {x} THEN 'oui' ELSE 'non' END",
    "uuid": ("COALESCE(substr({x}, 1, 8) || '-' || substr({x}, 9, 4) || '-' || substr({x}, 13, 4) || '-' "
             "|| substr({x}, 17, 4) || '-' || substr({x}, 21, 12), '')"),
}
POSTGRESQL = {
    "text": sql_text_cell_safe("COALESCE(({x})::text, '')", vendor="postgresql"),
    "int": "COALESCE(({x})::text, '')",
    "bool": "CASE WHEN {x} IS NULL THEN '' WHEN {x} THEN 'oui' ELSE 'non' END",
    "uuid": "COALESCE(({x})::text, '')",
    "datetime": "COALESCE(to_char(({x}) AT TIME ZONE '{zone}', 'YYYY-MM-DD HH24:MI:SS'), '')",
    "float": ("CASE WHEN {x} IS NULL THEN '' WHEN ({x})::float8 = trunc(({x})::float8) AND abs(({x})::float8) < 1e15 "
              "THEN trunc(({x})::float8)::bigint::text || '.0' ELSE ({x})::float8::text END"),
}


class AsText(Expression):
    """An expression's value as its export text ('' for NULL), rendered by the database."""

    output_field = TextField()

    def __init__(self, expression, kind: str):
        super().__init__()
        if kind not in POSTGRESQL:
            raise ValueError(f"no SQL text rendering for {kind!r} values")
        self.expression, self.kind = expression, kind

    def get_source_expressions(self):
        return [self.expression]

    def set_source_expressions(self, exprs):
        (self.expression,) = exprs

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        clone = self.copy()
        clone.expression = self.expression.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return clone

    def _render(self, compiler, template: str):
        sql, params = compiler.compile(self.expression)
        return template.replace("{x}", f"({sql})"), tuple(params) * template.count("{x}")

    def as_sqlite(self, compiler, connection):
        if self.kind == "float":
            raise ValueError("floats are written by Python on SQLite (15 significant digits in SQL)")
        if self.kind == "datetime":
            return self._render(compiler, f"COALESCE({_sqlite_local_time('{x}')}, '')")
        return self._render(compiler, SQLITE[self.kind])

    def as_postgresql(self, compiler, connection):
        zone = settings.TIME_ZONE.replace("'", "")
        return self._render(compiler, POSTGRESQL[self.kind].replace("{zone}", zone))

    def as_sql(self, compiler, connection):
        raise NotImplementedError(f"CSV text rendering is written for SQLite and PostgreSQL, not {connection.vendor}")
