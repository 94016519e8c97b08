"""Calibration of evaluator severity on synthetic waves whose true biases are known."""

import json

import numpy as np
import pytest

from fabriques.committee.calibration import (
    Calibration,
    DossierQuality,
    bands_crossing,
    calibrate,
    observations_from,
)
from fabriques.evaluation.consolidation import CriterionSpec, EvaluationInput, consolidate


def synthetic_wave(*, dossiers=300, evaluators=40, per_dossier=3, noise=0.3, seed=7):
    """Each dossier scored by ``per_dossier`` distinct evaluators drawn at random."""
    rng = np.random.default_rng(seed)
    quality = rng.uniform(1.0, 3.0, dossiers)
    bias = rng.uniform(-0.8, 0.8, evaluators)
    bias -= bias.mean()
    observations = []
    for d in range(dossiers):
        for e in rng.choice(evaluators, per_dossier, replace=False):
            observations.append((f"D{d}", f"E{e}", quality[d] + bias[e] + rng.normal(0, noise)))
    return observations, quality, bias


def test_recovers_known_biases_and_beats_the_raw_mean():
    observations, quality, bias = synthetic_wave()

    result = calibrate(observations=observations, bootstrap_rounds=0)

    estimated = {e.evaluator_id: e.bias for e in result.evaluators}
    errors = [abs(estimated[f"E{e}"] - bias[e]) for e in range(len(bias))]
    assert max(errors) < 0.25  # about three standard errors with ~22 scores per evaluator
    assert np.mean(errors) < 0.08
    by_dossier = result.by_dossier()
    calibrated_error = np.mean([(by_dossier[f"D{d}"].quality - q) ** 2 for d, q in enumerate(quality)])
    raw_error = np.mean([(by_dossier[f"D{d}"].raw_mean - q) ** 2 for d, q in enumerate(quality)])
    assert calibrated_error < raw_error / 3
    assert result.residual_sd == pytest.approx(0.3, abs=0.05)
    assert (result.connected, result.components, result.warning) == (True, 1, None)
    assert {e.evaluations for e in result.evaluators} <= set(range(10, 40))
    assert sum(e.evaluations for e in result.evaluators) == 900


def test_noise_free_scores_are_reproduced_exactly_with_a_tiny_prior():
    rows = [("a", "x", 3.5), ("a", "y", 2.5), ("b", "y", 1.0), ("b", "z", 1.5), ("c", "z", 4.0), ("c", "x", 4.5)]
    # truth: biases x=+0.5, y=−0.5, z=0 ; qualities a=3, b=1.5, c=4

    result = calibrate(observations=rows, bias_ridge=1e-9, bootstrap_rounds=0)

    assert {e.evaluator_id: e.bias for e in result.evaluators} == {"x": 0.5, "y": -0.5, "z": 0.0}
    assert {d.dossier_id: d.quality for d in result.dossiers} == {"a": 3.0, "b": 1.5, "c": 4.0}
    assert {d.dossier_id: d.raw_mean for d in result.dossiers} == {"a": 3.0, "b": 1.25, "c": 4.25}
    assert result.residual_sd == 0.0


def test_a_disconnected_evaluator_graph_is_flagged_with_its_parts():
    rows = [
        ("a", "x", 3.0), ("a", "y", 2.0), ("b", "x", 1.0), ("b", "y", 1.5),  # part 1: x, y on a, b
        ("c", "z", 3.0), ("c", "w", 3.5),  # part 2: z, w on c
    ]

    result = calibrate(observations=rows, bootstrap_rounds=0)

    assert (result.connected, result.components) == (False, 2)
    assert "pas connexe (2 parties)" in result.warning
    assert {d.dossier_id: d.component for d in result.dossiers} == {"a": 0, "b": 0, "c": 1}
    assert {e.evaluator_id: e.component for e in result.evaluators} == {"x": 0, "y": 0, "z": 1, "w": 1}
    # each part's biases sum to zero: the prior anchors every part on its own
    assert sum(e.bias for e in result.evaluators if e.component == 1) == pytest.approx(0, abs=1e-3)


def test_bootstrap_bands_contain_the_true_quality_most_of_the_time_and_are_seeded():
    observations, quality, _ = synthetic_wave(dossiers=200, evaluators=30, seed=11)

    first = calibrate(observations=observations, bootstrap_rounds=60, seed=3)
    again = calibrate(observations=observations, bootstrap_rounds=60, seed=3)

    assert first == again
    covered = [d.low <= quality[int(d.dossier_id[1:])] <= d.high for d in first.dossiers]
    assert np.mean(covered) > 0.6
    assert all(d.low <= d.quality <= d.high for d in first.dossiers)
    assert first.band == (5.0, 95.0)


def test_dossiers_whose_band_contains_the_funding_line_are_listed():
    def dossier(ident, low, high):
        return DossierQuality(ident, raw_mean=2.0, quality=(low + high) / 2, low=low, high=high,
                              evaluations=3, component=0)

    calibration = Calibration(
        dossiers=(dossier("safe", 2.6, 3.0), dossier("fragile", 2.2, 2.7), dossier("edge", 1.9, 2.5),
                  dossier("out", 1.0, 2.4)),
        evaluators=(), residual_sd=0.3, components=1, connected=True, warning=None,
        bias_ridge=1.0, bootstrap_rounds=50, band=(5.0, 95.0),
    )

    assert bands_crossing(calibration, funding_line=2.5) == ("fragile", "edge")


def test_results_are_json_ready_and_bad_input_is_refused():
    observations, _, _ = synthetic_wave(dossiers=20, evaluators=6)
    result = calibrate(observations=observations, bootstrap_rounds=5)

    data = json.loads(json.dumps(result.as_dict()))
    assert len(data["dossiers"]) == 20
    assert set(data["dossiers"][0]) == {"dossier_id", "raw_mean", "quality", "low", "high", "evaluations", "component"}
    with pytest.raises(ValueError, match="at least one"):
        calibrate(observations=[])
    with pytest.raises(ValueError, match="finite"):
        calibrate(observations=[("a", "x", float("nan"))])


def test_observations_come_from_each_evaluators_weighted_score():
    criteria = [
        CriterionSpec("a", weight=2, scale_min=0, scale_max=4),
        CriterionSpec("b", weight=1, scale_min=0, scale_max=4),
    ]
    consolidations = {
        "D1": consolidate(evaluations=[EvaluationInput("x", {"a": 3, "b": 0}), EvaluationInput("y", {})],
                          criteria=criteria),
        "D2": consolidate(evaluations=[EvaluationInput("x", {"b": 1})], criteria=criteria),
    }

    assert list(observations_from(consolidations)) == [("D1", "x", 2.0), ("D2", "x", 1.0)]
