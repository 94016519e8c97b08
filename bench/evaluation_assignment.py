"""Benchmark: automatic assignment of 2,000 dossiers to 150 evaluators (3 each).

    .venv/bin/python bench/evaluation_assignment.py [--dossiers 2000] [--evaluators 150] [--seed 1]

Evaluators cover one or both tracks and 1–4 régions (a third of them national);
about 2 % of the allowed pairs carry a declared conflict.
"""

import argparse
import random
import time

from fabriques.evaluation.assignment import DossierToAssign, Evaluator, assign_evaluators

REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94", "01", "02", "03", "04", "06"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=2000)
    parser.add_argument("--evaluators", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    dossiers = [
        DossierToAssign(i, rng.choice(["numerique", "territoire", "territoire"]), rng.choice(REGIONS))
        for i in range(args.dossiers)
    ]
    evaluators = []
    for e in range(args.evaluators):
        tracks = frozenset(rng.sample(["numerique", "territoire"], rng.choice([1, 2])))
        regions = frozenset() if e % 3 == 0 else frozenset(rng.sample(REGIONS, rng.randint(1, 4)))
        evaluators.append(Evaluator(e, tracks=tracks, regions=regions))
    conflicts = {(d.id, e.id) for d in dossiers for e in evaluators if rng.random() < 0.02}

    start = time.perf_counter()
    result = assign_evaluators(dossiers=dossiers, evaluators=evaluators, per_dossier=3, conflicts=conflicts)
    elapsed = time.perf_counter() - start

    print(f"dossiers={args.dossiers} evaluators={args.evaluators} conflicts={len(conflicts)}")
    print(f"pairs={len(result.pairs)} shortfalls={sum(result.shortfalls.values())} status={result.status}")
    print(f"load min={result.min_load} max={result.max_load}")
    print(f"elapsed={elapsed:.2f} s")


if __name__ == "__main__":
    main()
