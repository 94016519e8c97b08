"""Benchmark: calibration of a wave of 20,000 dossiers × 3 evaluations by ~1,000 evaluators.

Run: .venv/bin/python bench/committee_calibration.py [--rounds 0 25 50 100] [--repeat 3]
Prints, per number of bootstrap rounds, the best and median wall time (and the CPU time, less
sensitive to other jobs on a shared machine) of ``calibrate`` and the
accuracy of the recovered biases (synthetic data, known truth).
"""

import argparse
import statistics
import time

import numpy as np

from fabriques.committee.calibration import bands_crossing, calibrate


def synthetic_wave(dossiers: int, evaluators: int, per_dossier: int, seed: int = 2026):
    rng = np.random.default_rng(seed)
    quality = rng.normal(2.5, 0.6, dossiers)
    bias = rng.normal(0.0, 0.4, evaluators)
    bias -= bias.mean()
    panels = np.argsort(rng.random((dossiers, evaluators)), axis=1)[:, :per_dossier] if dossiers <= 2000 else None
    rows = []
    for d in range(dossiers):
        panel = panels[d] if panels is not None else rng.choice(evaluators, per_dossier, replace=False)
        for e in panel:
            rows.append((d, int(e), float(np.clip(quality[d] + bias[e] + rng.normal(0, 0.5), 0, 4))))
    return rows, quality, bias


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--evaluators", type=int, default=1_000)
    parser.add_argument("--per-dossier", type=int, default=3)
    parser.add_argument("--rounds", type=int, nargs="+", default=[0, 25, 50, 100])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rows, _, bias = synthetic_wave(args.dossiers, args.evaluators, args.per_dossier)
    print(f"{args.dossiers} dossiers, {args.evaluators} evaluators, {len(rows)} evaluations")
    for rounds in args.rounds:
        times, cpu = [], []
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = calibrate(observations=rows, bootstrap_rounds=rounds, seed=1)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        estimated = np.array([e.bias for e in sorted(result.evaluators, key=lambda e: e.evaluator_id)])
        error = np.abs(estimated - bias[: len(estimated)]).mean()
        line = sorted(d.quality for d in result.dossiers)[-3000]
        fragile = len(bands_crossing(result, funding_line=line)) if rounds else 0
        print(
            f"bootstrap={rounds:4d}  wall best={min(times):.2f}s median={statistics.median(times):.2f}s  "
            f"cpu best={min(cpu):.2f}s  "
            f"mean|bias error|={error:.3f}  components={result.components}  "
            f"residual_sd={result.residual_sd}  bands crossing top-3000 line={fragile}"
        )


if __name__ == "__main__":
    main()
