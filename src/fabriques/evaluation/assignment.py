"""Automatic assignment of evaluators to dossiers, solved as an optimisation.

The problem is a min-cost flow: each dossier needs `per_dossier` evaluators, an evaluator
may take a dossier only if allowed (no declared conflict, the dossier's track and région
are among the evaluator's), and the load should be as even as possible. Evenness is a
convex cost: an evaluator's k-th dossier costs k, so the solver spreads dossiers before it
stacks them. Written as a linear programme over the allowed pairs, its constraint matrix is
a network matrix (totally unimodular), so the simplex vertex HiGHS returns is integral: no
branch-and-bound is needed and 2,000 dossiers × 150 evaluators solve in seconds.

Pairs that already exist (kept assignments) are fixed to 1 and count in the load.
Dossiers that cannot get enough allowed evaluators are filled as far as possible and
reported in `shortfalls`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix


@dataclass(frozen=True)
class DossierToAssign:
    id: Hashable
    track: str
    region: str


@dataclass(frozen=True)
class Evaluator:
    id: Hashable
    tracks: frozenset[str] = frozenset()  # empty: every track
    regions: frozenset[str] = frozenset()  # empty: every région
    capacity: int | None = None  # at most this many dossiers in all (existing ones included)

    def accepts(self, dossier: DossierToAssign) -> bool:
        return (not self.tracks or dossier.track in self.tracks) and (
            not self.regions or dossier.region in self.regions
        )


@dataclass
class AssignmentResult:
    pairs: list[tuple[Hashable, Hashable]]  # new (dossier id, evaluator id) pairs
    loads: dict[Hashable, int]  # total per evaluator, existing included
    shortfalls: dict[Hashable, int] = field(default_factory=dict)  # dossier id -> evaluators missing
    status: str = "optimal"

    @property
    def max_load(self) -> int:
        return max(self.loads.values(), default=0)

    @property
    def min_load(self) -> int:
        return min(self.loads.values(), default=0)


def assign_evaluators(  # noqa: PLR0912, PLR0915 - one linear programme, built step by step
    *,
    dossiers: Iterable[DossierToAssign],
    evaluators: Iterable[Evaluator],
    per_dossier: int = 3,
    conflicts: Iterable[tuple[Hashable, Hashable]] = (),
    existing: Iterable[tuple[Hashable, Hashable]] = (),
    time_limit: float = 30.0,
) -> AssignmentResult:
    """Give each dossier up to `per_dossier` allowed evaluators with the most even load possible."""
    dossiers = list(dossiers)
    evaluators = list(evaluators)
    conflicts = set(conflicts)
    existing = set(existing)
    ev_index = {e.id: i for i, e in enumerate(evaluators)}
    existing_load = np.zeros(len(evaluators), dtype=int)
    for _, ev in existing:
        if ev in ev_index:
            existing_load[ev_index[ev]] += 1
    have = {}
    for d, _ in existing:
        have[d] = have.get(d, 0) + 1

    # Candidate pairs: allowed, not conflicting, not already assigned.
    rows_d, cols_e, need = [], [], []
    needs = {}
    for di, d in enumerate(dossiers):
        missing = max(per_dossier - have.get(d.id, 0), 0)
        needs[d.id] = missing
        if missing == 0:
            continue
        for ei, e in enumerate(evaluators):
            if (d.id, e.id) in existing or (d.id, e.id) in conflicts or not e.accepts(d):
                continue
            rows_d.append(di)
            cols_e.append(ei)
        need.append(di)
    loads = {e.id: int(existing_load[i]) for i, e in enumerate(evaluators)}
    if not rows_d:
        shortfalls = {d: n for d, n in needs.items() if n}
        return AssignmentResult(pairs=[], loads=loads, shortfalls=shortfalls)

    rows_d = np.asarray(rows_d)
    cols_e = np.asarray(cols_e)
    n_pairs = len(rows_d)
    n_ev = len(evaluators)
    total_needed = sum(needs.values())
    # Load levels: evaluator e's k-th dossier (k counted after its existing load) costs its level.
    levels = int(min(total_needed, np.ceil(total_needed / max(n_ev, 1)) * 2 + per_dossier + 2))
    level_cap = np.full(n_ev, levels)
    for i, e in enumerate(evaluators):
        if e.capacity is not None:
            level_cap[i] = max(min(levels, e.capacity - existing_load[i]), 0)
    n_y = n_ev * levels
    # Variables: x (pairs) then y (evaluator, level).
    cost = np.concatenate([
        np.zeros(n_pairs),
        (np.tile(np.arange(1, levels + 1, dtype=float), n_ev)
         + np.repeat(existing_load.astype(float), levels)) ** 2,
    ])
    # A dossier may be short of candidates: allow "unfilled" slack per dossier at a high cost.
    n_d = len(dossiers)
    big = float(cost.max() + 1) * 10
    cost = np.concatenate([cost, np.full(n_d, big)])
    n_var = n_pairs + n_y + n_d

    # Equalities: for each dossier, Σ x + slack = missing; for each evaluator, Σ x − Σ y = 0.
    data = np.concatenate([np.ones(n_pairs), np.ones(n_d), np.ones(n_pairs), -np.ones(n_y)])
    eq_rows = np.concatenate([
        rows_d, np.arange(n_d),
        n_d + cols_e, n_d + np.repeat(np.arange(n_ev), levels),
    ])
    eq_cols = np.concatenate([
        np.arange(n_pairs), n_pairs + n_y + np.arange(n_d),
        np.arange(n_pairs), n_pairs + np.arange(n_y),
    ])
    a_eq = coo_matrix((data, (eq_rows, eq_cols)), shape=(n_d + n_ev, n_var)).tocsr()
    b_eq = np.concatenate([[needs[d.id] for d in dossiers], np.zeros(n_ev)])
    upper = np.concatenate([
        np.ones(n_pairs),
        (np.arange(levels)[None, :] < level_cap[:, None]).astype(float).ravel(),
        np.array([needs[d.id] for d in dossiers], dtype=float),
    ])
    bounds = np.column_stack([np.zeros(n_var), upper])
    result = linprog(
        cost, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs-ds",
        options={"time_limit": time_limit, "presolve": True},
    )
    if result.x is None:
        raise RuntimeError(f"assignment solver failed: {result.message}")
    x = np.rint(result.x[:n_pairs]).astype(int)
    chosen = np.flatnonzero(x)
    pairs = [(dossiers[rows_d[k]].id, evaluators[cols_e[k]].id) for k in chosen]
    for k in chosen:
        loads[evaluators[cols_e[k]].id] += 1
    got = {}
    for d, _ in pairs:
        got[d] = got.get(d, 0) + 1
    shortfalls = {d: n - got.get(d, 0) for d, n in needs.items() if n - got.get(d, 0) > 0}
    return AssignmentResult(
        pairs=pairs, loads=loads, shortfalls=shortfalls,
        status="optimal" if result.status == 0 else "time_limit",
    )
