"""Benchmark: allocation over 2,000 candidates in 18 régions with every kind of target.

Run: .venv/bin/python bench/committee_allocation.py [--candidates 2000] [--repeat 3]
Prints the wall (and CPU) time of ``allocate`` without and with the price of each target (one re-solve
per target), the solver status, the objective against the by-rank list, and each target's status.
"""

import argparse
import statistics
import time
from dataclasses import replace

import numpy as np

from fabriques.committee.allocation import Candidate, Pin, PinKind, Scenario, Target, TargetKind, allocate

REGIONS = ("01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94")


def synthetic_candidates(count: int, seed: int = 2026) -> list[Candidate]:
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.3, 3.0, len(REGIONS))
    regions = rng.choice(REGIONS, count, p=weights / weights.sum())
    numerique = rng.random(count) < 0.2
    candidates = []
    for i in range(count):
        amount = int(rng.integers(5, 16) * 10_000) if numerique[i] else int(rng.integers(5, 31) * 5_000)
        candidates.append(Candidate(
            id=i,
            score=round(float(np.clip(rng.normal(2.5, 0.6), 0, 4)), 3),
            amount=amount,
            track="numerique" if numerique[i] else "territoire",
            region=str(regions[i]),
            is_rural=bool(rng.random() < 0.4),
            is_qpv=bool(rng.random() < 0.3),
            eligible=bool(rng.random() < 0.9),
        ))
    return candidates


def scenario(candidates: list[Candidate]) -> Scenario:
    eligible = [c.id for c in candidates if c.eligible]
    pins = {eligible[0]: Pin(PinKind.FORCE_IN, "seul lieu du territoire"),
            eligible[1]: Pin(PinKind.FORCE_OUT, "conflit d’intérêts")}
    return Scenario(
        name="bench",
        envelope=30_000_000,
        targets=(
            Target(TargetKind.MAX_LAUREATES, 300),
            Target(TargetKind.MIN_RURAL, 150),
            Target(TargetKind.MIN_QPV, 150),
            Target(TargetKind.TRACK_MIN, 30, track="numerique"),
            Target(TargetKind.TRACK_MAX, 60, track="numerique"),
            Target(TargetKind.EVERY_REGION_MIN, 5),
            Target(TargetKind.REGION_MAX, 40, region="11"),
            Target(TargetKind.REGION_MIN, 12, region="94"),
        ),
        pins=pins,
        time_limit=10.0,
        mip_rel_gap=1e-6,
    )


def timed(repeat: int, **kwargs):
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = allocate(**kwargs)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(times), statistics.median(times), min(cpu), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    candidates = synthetic_candidates(args.candidates)
    plan = scenario(candidates)
    best, median, cpu, result = timed(args.repeat, candidates=candidates, scenario=plan, with_prices=False)
    print(f"{len(candidates)} candidates, {len(REGIONS)} régions, {len(plan.targets)} targets, 2 pins")
    print(f"allocate (no prices): wall best={best:.2f}s median={median:.2f}s cpu={cpu:.2f}s "
          f"status={result.status} gap={result.mip_gap}")
    best, median, cpu, result = timed(args.repeat, candidates=candidates, scenario=plan, with_prices=True)
    print(f"allocate (+ {len(plan.targets)} prices): wall best={best:.2f}s median={median:.2f}s cpu={cpu:.2f}s")
    print(f"laureates={len(result.chosen)} objective={result.objective} budget={result.budget_used}")
    base = result.baseline
    print(f"by rank: laureates={len(base.chosen)} objective={base.objective} budget={base.budget_used} "
          f"targets met={sum(t.met for t in base.targets)}/{len(base.targets)}")
    for target in result.targets:
        print(f"  {target.key:24s} required={target.required:4d} achieved={target.achieved:4d} "
              f"met={target.met} price={target.price}")
    impossible = replace(plan, targets=(*plan.targets[1:], Target(TargetKind.MAX_LAUREATES, 17)))
    best, median, cpu, result = timed(args.repeat, candidates=candidates, scenario=impossible, with_prices=True)
    print(f"infeasible scenario (at most 17 laureates, 5 per région): wall best={best:.2f}s median={median:.2f}s "
          f"cpu={cpu:.2f}s")
    print(f"  {result.message}")


if __name__ == "__main__":
    main()
