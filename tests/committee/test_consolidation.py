"""Consolidation of a dossier's evaluations, checked against figures computed by hand."""

import json
from decimal import Decimal

import pytest

from fabriques.evaluation.consolidation import CriterionSpec, EvaluationInput, Opinion, consolidate

CRITERIA = [
    CriterionSpec("communaute", weight=Decimal("2"), scale_min=Decimal("0"), scale_max=Decimal("4"),
                  threshold=Decimal("2")),
    CriterionSpec("moyens", weight=Decimal("1"), scale_min=Decimal("0"), scale_max=Decimal("4")),
    CriterionSpec("ancrage", weight=Decimal("1"), scale_min=Decimal("0"), scale_max=Decimal("4"),
                  threshold=Decimal("2")),
]

EVALUATIONS = [
    EvaluationInput(1, {"communaute": Decimal("3"), "moyens": Decimal("4"), "ancrage": None}, Opinion.FAVOURABLE),
    EvaluationInput(2, {"communaute": Decimal("1"), "moyens": Decimal("2"), "ancrage": Decimal("2")}, "reserved"),
    EvaluationInput(3, {"communaute": Decimal("2"), "ancrage": Decimal("1")}, Opinion.UNFAVOURABLE),
]


def test_weighted_score_leaves_abstentions_out_instead_of_counting_zero():
    result = consolidate(evaluations=EVALUATIONS, criteria=CRITERIA)

    means = {c.code: (c.mean, c.count) for c in result.criteria}
    assert means == {"communaute": (2.0, 3), "moyens": (3.0, 2), "ancrage": (1.5, 2)}
    # (2×2 + 1×3 + 1×1.5) / (2 + 1 + 1)
    assert result.weighted_score == 2.125
    assert result.evaluation_count == 3


def test_per_evaluator_scores_median_spread_and_deviation_match_hand_figures():
    result = consolidate(evaluations=EVALUATIONS, criteria=CRITERIA)

    # e1: (2×3 + 4)/3, e2: (2×1 + 2 + 2)/4, e3: (2×2 + 1)/3
    assert [(s.evaluator_id, s.score, s.scored_criteria) for s in result.evaluator_scores] == [
        (1, 3.333, 2), (2, 1.5, 3), (3, 1.667, 2),
    ]
    assert result.median == 1.667
    assert result.spread == 1.833
    assert result.std == 0.828


def test_criteria_under_their_threshold_are_listed_and_opinions_counted():
    result = consolidate(evaluations=EVALUATIONS, criteria=CRITERIA)

    assert result.below_threshold == ("ancrage",)  # 1.5 < 2; communaute's 2.0 meets its threshold of 2
    assert result.meets_thresholds is False
    assert dict(result.opinions) == {"favourable": 1, "reserved": 1, "unfavourable": 1}


def test_disagreement_flag_follows_the_spread_setting():
    default = consolidate(evaluations=EVALUATIONS, criteria=CRITERIA)
    lenient = consolidate(evaluations=EVALUATIONS, criteria=CRITERIA, disagreement_spread=Decimal("2"))

    assert (default.disagreement, default.disagreement_spread) == (True, 1.0)  # a quarter of 0–4
    assert (lenient.disagreement, lenient.disagreement_spread) == (False, 2.0)


def test_single_evaluator_has_no_spread_and_nothing_scored_gives_no_score():
    single = consolidate(evaluations=EVALUATIONS[:1], criteria=CRITERIA)
    empty = consolidate(evaluations=[EvaluationInput(9, {}, None)], criteria=CRITERIA)

    assert (single.weighted_score, single.spread, single.std, single.disagreement) == (3.333, 0.0, 0.0, False)
    assert (empty.weighted_score, empty.median, empty.spread, empty.below_threshold) == (None, None, None, ())
    as_json = json.loads(json.dumps(empty.as_dict()))
    assert as_json["evaluator_scores"] == [{"evaluator_id": 9, "score": None, "scored_criteria": 0}]


def test_criteria_on_different_scales_are_mapped_onto_the_call_scale():
    criteria = [
        CriterionSpec("a", weight=1, scale_min=0, scale_max=4),
        CriterionSpec("b", weight=1, scale_min=0, scale_max=10),
    ]
    result = consolidate(evaluations=[EvaluationInput(1, {"a": 2, "b": 5})], criteria=criteria)

    assert result.weighted_score == 5.0  # 2/4 of the 0–10 call scale is 5, like b's 5


@pytest.mark.parametrize(
    ("scores", "message"),
    [({"communaute": Decimal("5")}, "outside"), ({"inconnu": 1}, "unknown criterion")],
)
def test_scores_outside_the_scale_or_on_unknown_criteria_are_refused(scores, message):
    with pytest.raises(ValueError, match=message):
        consolidate(evaluations=[EvaluationInput(1, scores)], criteria=CRITERIA)
