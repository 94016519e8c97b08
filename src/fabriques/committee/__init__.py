"""Committee: consolidated and calibrated scores, and the choice of laureates.

Pure computations (numpy/scipy, no models, no database), wired to the evaluation models by the
caller:

- ``consolidation.consolidate(evaluations=, criteria=, disagreement_spread=)`` → ``Consolidation``
  for one dossier (weighted score on the call's scale, per-evaluator scores, median, spread,
  deviation, criteria under threshold, opinions, disagreement flag).
- ``calibration.calibrate(observations=, bias_ridge=, bootstrap_rounds=, band=, seed=)`` →
  ``Calibration`` for a wave (quality and band per dossier, bias per evaluator, connected parts);
  ``calibration.observations_from(consolidations)`` builds its input,
  ``calibration.bands_crossing(calibration, funding_line=)`` lists the fragile dossiers.
- ``allocation.allocate(candidates=, scenario=, with_prices=)`` → ``AllocationResult`` (laureates,
  objective, budget, targets with their price, by-rank baseline, or the conflicting targets);
  ``allocation.by_rank(candidates, scenario)`` alone; ``allocation.amount_errors(...)`` checks
  adjusted amounts against the tracks' bounds.
"""
