"""Properties of consolidation and calibration on random inputs."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from fabriques.committee.calibration import calibrate
from fabriques.evaluation.consolidation import CriterionSpec, EvaluationInput, consolidate

CRITERIA = [
    CriterionSpec("a", weight=Decimal("1.5"), scale_min=0, scale_max=4, threshold=2),
    CriterionSpec("b", weight=Decimal("1"), scale_min=0, scale_max=4),
    CriterionSpec("c", weight=Decimal("0.5"), scale_min=0, scale_max=4),
]

scores = st.one_of(st.none(), st.integers(0, 8).map(lambda n: Decimal(n) / 2))
evaluations = st.lists(
    st.fixed_dictionaries({"a": scores, "b": scores, "c": scores}), min_size=1, max_size=5
).map(lambda rows: [EvaluationInput(i, row) for i, row in enumerate(rows)])


@settings(max_examples=150, deadline=None)
@given(evaluations)
def test_consolidated_score_stays_within_the_criterion_means_and_ignores_order(evals):
    result = consolidate(evaluations=evals, criteria=CRITERIA)
    shuffled = consolidate(evaluations=list(reversed(evals)), criteria=CRITERIA)

    means = [c.mean for c in result.criteria if c.mean is not None]
    if not means:
        assert result.weighted_score is None
        return
    assert min(means) - 1e-3 <= result.weighted_score <= max(means) + 1e-3
    assert (result.weighted_score, result.median, result.spread, result.below_threshold) == (
        shuffled.weighted_score, shuffled.median, shuffled.spread, shuffled.below_threshold,
    )
    assert result.spread >= 0
    assert result.std <= result.spread / 2 + 1e-3  # a population deviation never exceeds half the range


panels = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 4), st.integers(0, 8).map(lambda n: n / 2)),
    min_size=1, max_size=30, unique_by=lambda row: (row[0], row[1]),
)


@settings(max_examples=100, deadline=None)
@given(panels, st.integers(-3, 3))
def test_shifting_every_score_shifts_qualities_and_leaves_biases(rows, shift):
    base = calibrate(observations=rows, bootstrap_rounds=0)
    moved = calibrate(observations=[(d, e, s + shift) for d, e, s in rows], bootstrap_rounds=0)

    for before, after in zip(base.dossiers, moved.dossiers, strict=True):
        assert abs(after.quality - before.quality - shift) < 2e-3
    for before, after in zip(base.evaluators, moved.evaluators, strict=True):
        assert abs(after.bias - before.bias) < 2e-3
    fitted = {d.dossier_id: d.quality for d in base.dossiers}
    bias = {e.evaluator_id: e.bias for e in base.evaluators}
    # each quality is free (no prior on it): every dossier's residuals sum to zero
    per_dossier = {}
    for d, e, s in rows:
        per_dossier[d] = per_dossier.get(d, 0.0) + s - fitted[d] - bias[e]
    assert all(abs(total) < 1e-2 for total in per_dossier.values())
