"""Automatic assignment: N evaluators per dossier, conflicts and scopes respected, even load."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fabriques.evaluation.assignment import DossierToAssign, Evaluator, assign_evaluators


def _dossiers(n, track="numerique", region="76"):
    return [DossierToAssign(id=i, track=track, region=region) for i in range(n)]


def test_each_dossier_gets_three_distinct_evaluators_and_loads_are_even():
    result = assign_evaluators(dossiers=_dossiers(10), evaluators=[Evaluator(id=e) for e in "abcdef"], per_dossier=3)

    per_dossier = Counter(d for d, _ in result.pairs)
    assert set(per_dossier.values()) == {3}
    assert len(set(result.pairs)) == 30
    assert result.max_load - result.min_load <= 1
    assert result.shortfalls == {}


def test_a_declared_conflict_is_never_assigned():
    conflicts = {(0, "a"), (0, "b")}

    result = assign_evaluators(
        dossiers=_dossiers(2), evaluators=[Evaluator(id=e) for e in "abcd"], per_dossier=2, conflicts=conflicts
    )

    assert sorted(e for d, e in result.pairs if d == 0) == ["c", "d"]


def test_evaluators_only_get_their_tracks_and_regions():
    dossiers = [DossierToAssign(1, "numerique", "76"), DossierToAssign(2, "territoire", "11")]
    evaluators = [
        Evaluator("num-occitanie", tracks=frozenset({"numerique"}), regions=frozenset({"76"})),
        Evaluator("ter-idf", tracks=frozenset({"territoire"}), regions=frozenset({"11"})),
        Evaluator("anywhere"),
    ]

    result = assign_evaluators(dossiers=dossiers, evaluators=evaluators, per_dossier=2)

    assert sorted(result.pairs) == [(1, "anywhere"), (1, "num-occitanie"), (2, "anywhere"), (2, "ter-idf")]


def test_a_dossier_without_enough_allowed_evaluators_is_reported_short():
    result = assign_evaluators(
        dossiers=_dossiers(1), evaluators=[Evaluator("a"), Evaluator("b")], per_dossier=3
    )

    assert len(result.pairs) == 2
    assert result.shortfalls == {0: 1}


def test_existing_assignments_are_kept_and_count_in_the_load():
    existing = {(d, "a") for d in range(6)}

    result = assign_evaluators(
        dossiers=_dossiers(6), evaluators=[Evaluator(e) for e in "abcd"], per_dossier=2, existing=existing
    )

    assert all(e != "a" for _, e in result.pairs)
    assert result.loads == {"a": 6, "b": 2, "c": 2, "d": 2}


def test_capacity_is_respected():
    evaluators = [Evaluator("small", capacity=1), Evaluator("b"), Evaluator("c")]

    result = assign_evaluators(dossiers=_dossiers(4), evaluators=evaluators, per_dossier=2)

    assert result.loads["small"] <= 1
    assert result.shortfalls == {}


@settings(max_examples=40, deadline=None)
@given(
    n_dossiers=st.integers(1, 25),
    n_evaluators=st.integers(1, 8),
    per=st.integers(1, 3),
    conflict_seed=st.lists(st.tuples(st.integers(0, 24), st.integers(0, 7)), max_size=30),
)
def test_property_no_conflict_no_duplicate_and_exact_counts(n_dossiers, n_evaluators, per, conflict_seed):
    conflicts = {(d, e) for d, e in conflict_seed}
    result = assign_evaluators(
        dossiers=_dossiers(n_dossiers), evaluators=[Evaluator(e) for e in range(n_evaluators)],
        per_dossier=per, conflicts=conflicts,
    )

    assert not set(result.pairs) & conflicts
    assert len(set(result.pairs)) == len(result.pairs)
    counts = Counter(d for d, _ in result.pairs)
    for d in range(n_dossiers):
        allowed = n_evaluators - sum(1 for e in range(n_evaluators) if (d, e) in conflicts)
        assert counts.get(d, 0) == min(per, allowed)
        assert result.shortfalls.get(d, 0) == per - min(per, allowed)


@pytest.mark.parametrize("n", [30, 90])
def test_load_is_as_even_as_possible(n):
    result = assign_evaluators(dossiers=_dossiers(n), evaluators=[Evaluator(e) for e in range(7)], per_dossier=3)

    assert result.max_load - result.min_load <= 1
