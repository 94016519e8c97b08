"""Bad input on the call definition parser: whatever the text, only DefinitionError comes out.

Inputs tried per run (hypothesis, derandomised so CI is stable; raise the counts locally to search more):
random text, random TOML-looking key/value lines, and line-level mutations of the real 2019
definition (deleted, duplicated, swapped lines; values replaced by strings, huge or negative numbers,
floats, booleans, dates, arrays and tables; truncation at any byte; random characters inserted).
"""

import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fabriques.calls.definition import CallDefinition, DefinitionError, parse_definition
from fabriques.calls.domain import DEFINITIONS_DIR

REAL = (DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").read_text(encoding="utf-8")
REAL_LINES = REAL.splitlines()
VALUE_LINES = [i for i, line in enumerate(REAL_LINES) if " = " in line and not line.lstrip().startswith("#")]
EXAMPLES = 300
pytestmark = pytest.mark.database_independent  # parsing only, no database: once per CI (tests/conftest.py)

fuzz = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def _parses_or_refuses(text: str) -> None:
    refusal = None
    try:
        result = parse_definition(text, source="fuzz.toml")
    except DefinitionError as exc:
        refusal = exc
    if refusal is None:
        assert isinstance(result, CallDefinition)
        return
    assert refusal.problems, "a refusal must say why"
    assert all(isinstance(p, str) and p for p in refusal.problems)
    assert str(refusal).startswith("fuzz.toml: ")


toml_scalars = st.one_of(
    st.text(max_size=30).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.integers().map(str),
    st.sampled_from(["0", "-1", "1e309", "-0.0", "inf", "nan", "9" * 40, "-" + "9" * 40]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.booleans().map(lambda b: "true" if b else "false"),
    st.sampled_from([
        "1979-05-27T07:32:00Z", "2019-02-30T12:00:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00",
        "2019-07-01", "07:32:00", '"demain"', '"2019-13-01T00:00:00"', "[]", "{}", '["a", 1]', "[[1], [2]]",
        '{ a = 1 }', '""', '"  "', "[" * 50 + "]" * 50,
    ]),
)


@fuzz
@given(st.text(max_size=2000))
def test_random_text_is_refused_cleanly(text):
    _parses_or_refuses(text)


@fuzz
@given(st.lists(st.tuples(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), toml_scalars), max_size=30))
def test_random_key_value_documents_are_refused_cleanly(pairs):
    _parses_or_refuses("\n".join(f"{key} = {value}" for key, value in pairs))


@fuzz
@given(st.data())
def test_values_of_the_real_file_replaced_by_anything(data):
    lines = list(REAL_LINES)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.sampled_from(VALUE_LINES))
        key = lines[index].split(" = ", 1)[0]
        lines[index] = f"{key} = {data.draw(toml_scalars)}"
    _parses_or_refuses("\n".join(lines))


@fuzz
@given(st.data())
def test_lines_of_the_real_file_deleted_duplicated_or_swapped(data):
    lines = list(REAL_LINES)
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(lines) - 1))
        j = data.draw(st.integers(0, len(lines) - 1))
        operation = data.draw(st.sampled_from(["delete", "duplicate", "swap"]))
        if operation == "delete":
            del lines[i]
        elif operation == "duplicate":
            lines.insert(j, lines[i])
        else:
            lines[i], lines[j] = lines[j], lines[i]
        if not lines:
            break
    _parses_or_refuses("\n".join(lines))


@fuzz
@given(st.integers(0, len(REAL)), st.text(max_size=20))
def test_the_real_file_truncated_or_with_inserted_characters(position, inserted):
    _parses_or_refuses(REAL[:position])
    _parses_or_refuses(REAL[:position] + inserted + REAL[position:])


def test_the_real_file_itself_is_accepted():
    assert isinstance(parse_definition(REAL, source="ami.toml"), CallDefinition)
    assert tomllib.loads(REAL)
