"""Consolidation of one dossier's submitted evaluations into the figures the committee reads.

The maths, kept deliberately plain so a committee can redo it by hand:

- A criterion's mean is the mean of the scores it received. An absent score (abstention,
  "N/A") is left out of that mean and never counts as zero.
- The weighted score is ``Σ w_c · mean_c / Σ w_c`` over the criteria that received at least
  one score: a weighted mean, so it stays on the call's scale (a criterion nobody scored
  drops out of both sums). When criteria use different scales, each mean is first mapped
  linearly onto the call's scale (lowest minimum to highest maximum of the criteria); with one
  shared scale, as in the 2019 call, this mapping is the identity.
- Each evaluator's own weighted score is the same formula over that evaluator's scores only.
  Median, spread (max − min) and standard deviation (population, ``ddof=0``) are taken over
  those per-evaluator scores; one evaluator gives a spread and deviation of 0.
- A criterion is below its threshold when its mean is strictly lower than the threshold.
- ``disagreement`` is true when the spread is strictly greater than the setting (by default a
  quarter of the call's scale range).

Inputs may be ``Decimal``, ``int`` or ``float``; outputs are floats rounded to 3 decimals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from enum import StrEnum
from statistics import median

DIGITS = 3
DEFAULT_DISAGREEMENT_SHARE = 0.25  # of the scale range, when no setting is given

Number = Decimal | int | float


class Opinion(StrEnum):
    """An evaluator's overall opinion on a dossier."""

    FAVOURABLE = "favourable"
    RESERVED = "reserved"
    UNFAVOURABLE = "unfavourable"


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion of the call as the consolidation needs it (``threshold`` None: no threshold)."""

    code: str
    weight: Number
    scale_min: Number
    scale_max: Number
    threshold: Number | None = None


@dataclass(frozen=True)
class EvaluationInput:
    """One submitted evaluation; a criterion absent from ``scores`` (or None) is an abstention."""

    evaluator_id: int | str
    scores: Mapping[str, Number | None]
    opinion: Opinion | str | None = None


@dataclass(frozen=True)
class CriterionResult:
    code: str
    mean: float | None
    count: int
    threshold: float | None
    below_threshold: bool


@dataclass(frozen=True)
class EvaluatorScore:
    evaluator_id: int | str
    score: float | None
    scored_criteria: int


@dataclass(frozen=True)
class Consolidation:
    """Consolidated figures of one dossier; ``weighted_score`` is None when nothing was scored."""

    evaluation_count: int
    weighted_score: float | None
    evaluator_scores: tuple[EvaluatorScore, ...]
    median: float | None
    spread: float | None
    std: float | None
    criteria: tuple[CriterionResult, ...]
    below_threshold: tuple[str, ...]
    opinions: Mapping[str, int]
    disagreement: bool
    disagreement_spread: float

    @property
    def meets_thresholds(self) -> bool:
        return not self.below_threshold

    def as_dict(self) -> dict:
        data = asdict(self)
        data["opinions"] = dict(self.opinions)
        data["meets_thresholds"] = self.meets_thresholds
        return data


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


class _Scale:
    """Maps each criterion's score linearly onto the call's scale."""

    def __init__(self, criteria: Sequence[CriterionSpec]) -> None:
        self.low = min(float(c.scale_min) for c in criteria)
        self.high = max(float(c.scale_max) for c in criteria)
        self._ranges = {c.code: (float(c.scale_min), float(c.scale_max)) for c in criteria}

    def to_call(self, code: str, value: float) -> float:
        lo, hi = self._ranges[code]
        if (lo, hi) == (self.low, self.high):
            return value
        return self.low + (value - lo) / (hi - lo) * (self.high - self.low)


def _checked_scores(evaluation: EvaluationInput, specs: Mapping[str, CriterionSpec]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for code, raw in evaluation.scores.items():
        if code not in specs:
            raise ValueError(f"unknown criterion {code!r} in evaluation by {evaluation.evaluator_id!r}")
        if raw is None:
            continue
        value = float(raw)
        spec = specs[code]
        if not math.isfinite(value) or not float(spec.scale_min) <= value <= float(spec.scale_max):
            raise ValueError(f"score {raw} for {code!r} is outside [{spec.scale_min}, {spec.scale_max}]")
        scores[code] = value
    return scores


def _weighted_mean(means: Mapping[str, float], weights: Mapping[str, float], scale: _Scale) -> float | None:
    total_weight = sum(weights[code] for code in means)
    if not means or total_weight <= 0:
        return None
    return sum(weights[code] * scale.to_call(code, mean) for code, mean in means.items()) / total_weight


def consolidate(
    *,
    evaluations: Sequence[EvaluationInput],
    criteria: Sequence[CriterionSpec],
    disagreement_spread: Number | None = None,
) -> Consolidation:
    """Consolidate one dossier's submitted evaluations; N/A never counts as zero."""
    if not criteria:
        raise ValueError("a consolidation needs at least one criterion")
    specs = {c.code: c for c in criteria}
    weights = {c.code: float(c.weight) for c in criteria}
    if any(w < 0 for w in weights.values()):
        raise ValueError("criterion weights must be non-negative")
    scale = _Scale(criteria)
    limit = (
        float(disagreement_spread)
        if disagreement_spread is not None
        else DEFAULT_DISAGREEMENT_SHARE * (scale.high - scale.low)
    )

    per_criterion: dict[str, list[float]] = {c.code: [] for c in criteria}
    evaluator_scores = []
    own_scores: list[float] = []
    opinions = {opinion.value: 0 for opinion in Opinion}
    for evaluation in evaluations:
        scores = _checked_scores(evaluation, specs)
        for code, value in scores.items():
            per_criterion[code].append(value)
        own = _weighted_mean(scores, weights, scale)
        evaluator_scores.append(EvaluatorScore(evaluation.evaluator_id, _round(own), len(scores)))
        if own is not None:
            own_scores.append(own)
        if evaluation.opinion is not None:
            opinions[Opinion(evaluation.opinion).value] += 1

    means = {code: sum(values) / len(values) for code, values in per_criterion.items() if values}
    results = []
    for spec in criteria:
        mean = means.get(spec.code)
        threshold = None if spec.threshold is None else float(spec.threshold)
        below = mean is not None and threshold is not None and mean < threshold
        results.append(CriterionResult(spec.code, _round(mean), len(per_criterion[spec.code]), threshold, below))

    spread = std = mid = None
    if own_scores:
        mid = median(own_scores)
        spread = max(own_scores) - min(own_scores)
        average = sum(own_scores) / len(own_scores)
        std = math.sqrt(sum((s - average) ** 2 for s in own_scores) / len(own_scores))
    return Consolidation(
        evaluation_count=len(evaluations),
        weighted_score=_round(_weighted_mean(means, weights, scale)),
        evaluator_scores=tuple(evaluator_scores),
        median=_round(mid),
        spread=_round(spread),
        std=_round(std),
        criteria=tuple(results),
        below_threshold=tuple(r.code for r in results if r.below_threshold),
        opinions=opinions,
        disagreement=spread is not None and round(spread, DIGITS) > limit,
        disagreement_spread=round(limit, DIGITS),
    )
