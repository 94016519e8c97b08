"""The fast CSV writer gives what the standard `csv` module reads back as `csv.writer`'s own output."""

import csv
import datetime as dt
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fabriques.exports.writers import csv_text

values = st.one_of(
    st.text(), st.text(alphabet=',"\r\n ab’é'), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(), st.just(""),
)


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def reference(rows: list[list]) -> list[list[str]]:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return read(buffer.getvalue())


@settings(suppress_health_check=[HealthCheck.too_slow])  # the machine is shared: generation is slow under load
@given(st.integers(min_value=1, max_value=4).flatmap(
    lambda width: st.lists(st.lists(values, min_size=width, max_size=width), min_size=1, max_size=8)))
def test_columns_written_fast_read_back_as_csv_writer_rows(rows):
    columns = [list(column) for column in zip(*rows, strict=True)]

    assert read(csv_text(columns)) == reference(rows)


def test_text_with_quotes_commas_and_line_breaks_is_quoted_and_numbers_are_not():
    columns = [["FDT-1", "FDT-2"], ['Un "tiers-lieu", ouvert\r\nle soir', "simple"], [3, 2.5],
               [dt.datetime(2026, 3, 1, 9, 30), ""]]

    text = csv_text(columns)

    assert text == ('FDT-1,"Un ""tiers-lieu"", ouvert\r\nle soir",3,2026-03-01 09:30:00\r\n'
                    'FDT-2,"simple",2.5,\r\n')
