"""The fast CSV writer gives what the standard `csv` module reads back as `csv.writer`'s own output."""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fabriques.exports.csvlines import csv_lines

# the writer receives every value as UTF-8 text (the database renders numbers and dates: test_sqltext)
values = st.one_of(st.text(), st.text(alphabet=',"\r\n ab’é'), st.just(""), st.integers().map(str))


def read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


def reference(rows: list[list[str]]) -> list[list[str]]:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))


@settings(suppress_health_check=[HealthCheck.too_slow])  # the machine is shared: generation is slow under load
@given(st.integers(min_value=1, max_value=4).flatmap(
    lambda width: st.lists(st.lists(values, min_size=width, max_size=width), min_size=1, max_size=8)))
def test_columns_written_fast_read_back_as_csv_writer_rows(rows):
    columns = [[value.encode() for value in column] for column in zip(*rows, strict=True)]

    assert read(csv_lines(columns)) == reference(rows)


def test_text_with_quotes_commas_and_line_breaks_is_quoted_and_numbers_are_not():
    columns = [[b"FDT-1", b"FDT-2"], [b'Un "tiers-lieu", ouvert\r\nle soir', b"simple"], [b"3", b"2.5"],
               [b"2026-03-01 09:30:00", b""]]

    data = csv_lines(columns)

    assert data == (b'FDT-1,"Un ""tiers-lieu"", ouvert\r\nle soir",3,2026-03-01 09:30:00\n'
                    b'FDT-2,"simple",2.5,\n')


def test_a_lone_empty_column_is_written_as_quotes_so_the_line_is_not_blank():
    assert csv_lines([[b"", b"x"]]) == b'""\nx\n'
    assert read(csv_lines([[b"", b"x"]])) == [[""], ["x"]]
