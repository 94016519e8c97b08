"""Choice of laureates under the envelope and the call's balance targets (0–1 MILP, HiGHS).

Formulation. One binary ``x_i`` per candidate (1: laureate), amounts ``a_i`` fixed for the solve
(requested, or the scenario's override), scores ``s_i`` (calibrated)::

    maximise   Σ s_i x_i
    subject to Σ a_i x_i ≤ envelope
               Σ_{i ∈ rural} x_i ≥ min_rural          Σ_{i ∈ QPV} x_i ≥ min_qpv
               lo_t ≤ Σ_{i ∈ track t} x_i ≤ hi_t       lo_r ≤ Σ_{i ∈ région r} x_i ≤ hi_r
               Σ x_i ≤ max_laureates
               x_i = 0 when i misses a threshold (not eligible) or is pinned out,
               x_i = 1 when i is pinned in.

Maximising the total score rewards funding many good dossiers, not only the best few: under a
binding envelope a cheaper dossier can beat a slightly better, dearer one. The committee sees
that choice beside the plain list "by rank until the money runs out" (``by_rank``: eligible
dossiers by decreasing score, stopping at the first one the remaining money cannot cover; it
ignores targets and pins, which is the point of the comparison).

The price of a target is the objective without that target minus the objective with all of
them (one re-solve per target): what the target costs in total score.

When the targets cannot be met together, nothing is chosen and the message names a minimal
conflicting set: a deletion filter over the constraint groups (envelope, each target, each pin)
drops every group whose removal leaves the problem infeasible; what is left is irreducible.

Every solve sets ``time_limit`` and ``mip_rel_gap`` (from the scenario). The call definition's
targets map as: ``min_rural`` → MIN_RURAL, ``min_qpv`` → MIN_QPV, ``track_count`` → TRACK_MIN,
``region_min`` with a région → REGION_MIN, without → EVERY_REGION_MIN (every région that has an
eligible candidate), ``region_max`` → REGION_MAX, ``max_per_wave`` → MAX_LAUREATES.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from enum import StrEnum

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from fabriques.formatting import euros

DIGITS = 3
INFEASIBLE = 2
ENVELOPE = "envelope"
# HiGHS's presolve (probing) cost 0.5–1.5 s on 1,000–2,000 candidates and bought nothing (the
# models are solved at the root node); on tiny models, turning it off made HiGHS's heuristics
# linger instead. Measured with bench/committee_allocation.py and the property tests.
PRESOLVE_BELOW = 500  # candidates

Id = int | str


class PinKind(StrEnum):
    FORCE_IN = "force_in"
    FORCE_OUT = "force_out"


@dataclass(frozen=True)
class Pin:
    """A committee pin; the reason is written down and shown with the result."""

    kind: PinKind
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("a pin needs a written reason")


class TargetKind(StrEnum):
    MIN_RURAL = "min_rural"
    MIN_QPV = "min_qpv"
    TRACK_MIN = "track_min"
    TRACK_MAX = "track_max"
    REGION_MIN = "region_min"
    REGION_MAX = "region_max"
    EVERY_REGION_MIN = "every_region_min"
    MAX_LAUREATES = "max_laureates"


AT_MOST = {TargetKind.TRACK_MAX, TargetKind.REGION_MAX, TargetKind.MAX_LAUREATES}

_LABELS = {
    TargetKind.MIN_RURAL: "Au moins {v} {laureates} hors des grands pôles urbains",
    TargetKind.MIN_QPV: "Au moins {v} {laureates} en QPV",
    TargetKind.TRACK_MIN: "Au moins {v} {laureates} de l’entrée {track}",
    TargetKind.TRACK_MAX: "Au plus {v} {laureates} de l’entrée {track}",
    TargetKind.REGION_MIN: "Au moins {v} {laureates} dans la région {region}",
    TargetKind.REGION_MAX: "Au plus {v} {laureates} dans la région {region}",
    TargetKind.EVERY_REGION_MIN: "Au moins {v} {laureates} dans chaque région candidate",
    TargetKind.MAX_LAUREATES: "Au plus {v} {laureates}",
}


@dataclass(frozen=True)
class Target:
    """A balance target; ``track`` or ``region`` only for the kinds that name one."""

    kind: TargetKind
    value: int
    track: str = ""
    region: str = ""
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TargetKind(self.kind))
        if self.value < 0:
            raise ValueError("a target's value cannot be negative")
        if self.kind in {TargetKind.TRACK_MIN, TargetKind.TRACK_MAX} and not self.track:
            raise ValueError(f"{self.kind} needs a track")
        if self.kind in {TargetKind.REGION_MIN, TargetKind.REGION_MAX} and not self.region:
            raise ValueError(f"{self.kind} needs a région")

    @property
    def key(self) -> str:
        return ":".join(part for part in (self.kind.value, self.track, self.region) if part)

    @property
    def text(self) -> str:
        laureates = "lauréats" if self.value > 1 else "lauréat"
        return self.label or _LABELS[self.kind].format(
            v=self.value, laureates=laureates, track=self.track, region=self.region
        )


@dataclass(frozen=True)
class Candidate:
    """A dossier as the allocation sees it; ``eligible`` False when a threshold is missed."""

    id: Id
    score: Decimal | float
    amount: int
    track: str
    region: str
    is_rural: bool = False
    is_qpv: bool = False
    eligible: bool = True
    pin: Pin | None = None
    name: str = ""  # how messages name the dossier (its reference); the id when empty


@dataclass(frozen=True)
class Scenario:
    """What the committee can vary and save: envelope, targets, pins and amounts (pins override candidates')."""

    envelope: int
    targets: tuple[Target, ...] = ()
    pins: Mapping[Id, Pin] = field(default_factory=dict)
    amount_overrides: Mapping[Id, int] = field(default_factory=dict)
    name: str = ""
    time_limit: float = 10.0
    mip_rel_gap: float = 1e-6

    def __post_init__(self) -> None:
        keys = [t.key for t in self.targets]
        if len(set(keys)) != len(keys):
            raise ValueError("a scenario cannot hold the same target twice")
        if self.envelope < 0 or any(a <= 0 for a in self.amount_overrides.values()):
            raise ValueError("the envelope must be non-negative and amounts positive")

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "envelope": self.envelope,
            "targets": [asdict(t) for t in self.targets],
            "pins": [{"id": k, "kind": p.kind.value, "reason": p.reason} for k, p in self.pins.items()],
            "amount_overrides": [{"id": k, "amount": v} for k, v in self.amount_overrides.items()],
            "time_limit": self.time_limit,
            "mip_rel_gap": self.mip_rel_gap,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Scenario:
        """Inverse of ``as_dict`` (ids keep their JSON type)."""
        return cls(
            name=data.get("name", ""),
            envelope=int(data["envelope"]),
            targets=tuple(Target(**t) for t in data.get("targets", ())),
            pins={p["id"]: Pin(PinKind(p["kind"]), p["reason"]) for p in data.get("pins", ())},
            amount_overrides={o["id"]: int(o["amount"]) for o in data.get("amount_overrides", ())},
            time_limit=float(data.get("time_limit", 10.0)),
            mip_rel_gap=float(data.get("mip_rel_gap", 1e-6)),
        )


@dataclass(frozen=True)
class TargetStatus:
    key: str
    kind: str
    label: str
    required: int
    achieved: int
    met: bool
    price: float | None = None


@dataclass(frozen=True)
class Selection:
    """A list of laureates with its figures (the optimiser's, or the by-rank baseline)."""

    chosen: tuple[Id, ...]
    objective: float
    budget_used: int
    targets: tuple[TargetStatus, ...]


@dataclass(frozen=True)
class AllocationResult:
    """``status``: optimal, feasible (time limit, best found), infeasible or no_solution."""

    scenario: str
    status: str
    message: str | None
    conflicts: tuple[str, ...]
    chosen: tuple[Id, ...]
    amounts: Mapping[Id, int]
    objective: float
    budget_used: int
    envelope: int
    targets: tuple[TargetStatus, ...]
    mip_gap: float | None
    baseline: Selection

    def as_dict(self) -> dict:
        data = asdict(self)
        data["amounts"] = [{"id": k, "amount": v} for k, v in self.amounts.items()]
        return data


def amount_errors(
    *, candidates: Sequence[Candidate], amount_overrides: Mapping[Id, int], track_bounds: Mapping[str, tuple[int, int]]
) -> dict[Id, str]:
    """French error per adjusted amount outside its track's bounds (empty when all are valid)."""
    tracks = {c.id: c.track for c in candidates}
    errors = {}
    for cid, amount in amount_overrides.items():
        if cid not in tracks:
            errors[cid] = "Ce dossier ne fait pas partie des candidats."
            continue
        low, high = track_bounds[tracks[cid]]
        if not low <= amount <= high:
            errors[cid] = f"Le montant doit être compris entre {euros(low)} et {euros(high)}."
    return errors


class _Problem:
    """Candidates as arrays, and the constraint groups the solver and the conflict search share."""

    def __init__(self, candidates: Sequence[Candidate], scenario: Scenario) -> None:
        if not candidates:
            raise ValueError("an allocation needs at least one candidate")
        if len({c.id for c in candidates}) != len(candidates):
            raise ValueError("candidate ids must be unique")
        self.candidates = list(candidates)
        self.scenario = scenario
        self.ids = [c.id for c in candidates]
        self.scores = np.array([float(c.score) for c in candidates], dtype=float)
        self.amounts = np.array([scenario.amount_overrides.get(c.id, c.amount) for c in candidates], dtype=float)
        if np.any(self.amounts <= 0):
            raise ValueError("every candidate needs a positive amount")
        self.eligible = np.array([c.eligible for c in candidates], dtype=bool)
        self.pins = {c.id: c.pin for c in candidates if c.pin is not None} | dict(scenario.pins)
        self.index = {cid: i for i, cid in enumerate(self.ids)}
        unknown = set(self.pins) - set(self.index)
        if unknown:
            raise ValueError(f"pins on unknown candidates: {sorted(map(str, unknown))}")
        self.rural = np.array([c.is_rural for c in candidates], dtype=bool)
        self.qpv = np.array([c.is_qpv for c in candidates], dtype=bool)
        self.tracks = np.array([c.track for c in candidates], dtype=object)
        self.region_of = np.array([c.region for c in candidates], dtype=object)
        self.regions = sorted({c.region for c in candidates if c.eligible})
        self._rows: dict[str, list[np.ndarray]] = {}

    def members(self, target: Target) -> list[np.ndarray]:
        """One 0/1 row per inequality the target stands for (cached: solves share them)."""
        if target.key not in self._rows:
            kind = target.kind
            if kind == TargetKind.MIN_RURAL:
                rows = [self.rural]
            elif kind == TargetKind.MIN_QPV:
                rows = [self.qpv]
            elif kind in {TargetKind.TRACK_MIN, TargetKind.TRACK_MAX}:
                rows = [self.tracks == target.track]
            elif kind in {TargetKind.REGION_MIN, TargetKind.REGION_MAX}:
                rows = [self.region_of == target.region]
            elif kind == TargetKind.EVERY_REGION_MIN:
                rows = [self.region_of == region for region in self.regions]
            else:
                rows = [np.ones(len(self.ids), dtype=bool)]
            self._rows[target.key] = [row.astype(float) for row in rows]
        return self._rows[target.key]

    def achieved(self, target: Target, chosen: np.ndarray) -> tuple[int, bool]:
        """Count reached (the lowest région's for "every région") and whether every row holds."""
        counts = [int(row @ chosen) for row in self.members(target)]
        if target.kind in AT_MOST:
            return max(counts, default=0), all(n <= target.value for n in counts)
        return min(counts, default=0), all(n >= target.value for n in counts)

    def group_labels(self) -> dict[str, str]:
        labels = {ENVELOPE: f"Enveloppe de {euros(self.scenario.envelope)}"}
        labels |= {t.key: t.text for t in self.scenario.targets}
        for cid, pin in self.pins.items():
            verb = "retenu" if pin.kind == PinKind.FORCE_IN else "écarté"
            name = self.candidates[self.index[cid]].name or cid
            labels[f"pin:{cid}"] = f"Dossier {name} épinglé « {verb} » ({pin.reason})"
        return labels

    def solve(self, groups: set[str], *, feasibility_only: bool = False):
        """Solve with only the given constraint groups (envelope, target keys, ``pin:<id>``)."""
        n = len(self.ids)
        lower = np.zeros(n)
        upper = np.where(self.eligible, 1.0, 0.0)
        for cid, pin in self.pins.items():
            if f"pin:{cid}" in groups:
                i = self.index[cid]
                if pin.kind == PinKind.FORCE_IN:
                    lower[i] = 1.0
                else:
                    upper[i] = 0.0
        if np.any(lower > upper):
            return None
        rows, lows, highs = [], [], []
        if ENVELOPE in groups:
            rows.append(self.amounts)
            lows.append(-np.inf)
            highs.append(float(self.scenario.envelope))
        for target in self.scenario.targets:
            if target.key not in groups:
                continue
            for row in self.members(target):
                rows.append(row)
                at_most = target.kind in AT_MOST
                lows.append(-np.inf if at_most else float(target.value))
                highs.append(float(target.value) if at_most else np.inf)
        constraints = [LinearConstraint(sp.csr_matrix(np.vstack(rows)), lows, highs)] if rows else []
        objective = np.zeros(n) if feasibility_only else -self.scores
        return milp(
            objective,
            integrality=np.ones(n),
            bounds=Bounds(lower, upper),
            constraints=constraints,
            options={
                "time_limit": self.scenario.time_limit,
                "mip_rel_gap": self.scenario.mip_rel_gap,
                "presolve": n < PRESOLVE_BELOW,
            },
        )

    def all_groups(self) -> set[str]:
        return {ENVELOPE} | {t.key for t in self.scenario.targets} | {f"pin:{cid}" for cid in self.pins}

    def chosen_vector(self, result) -> np.ndarray:
        return np.round(result.x).astype(float)


def _is_infeasible(problem: _Problem, groups: set[str]) -> bool:
    result = problem.solve(groups, feasibility_only=True)
    return result is None or result.status == INFEASIBLE


def _minimal_conflict(problem: _Problem) -> list[str]:
    """Deletion filter: drop each group whose removal keeps the problem infeasible."""
    kept = problem.all_groups()
    for group in sorted(kept):
        trial = kept - {group}
        if _is_infeasible(problem, trial):
            kept = trial
    return sorted(kept)


def _statuses(problem: _Problem, chosen: np.ndarray, prices: Mapping[str, float] | None = None):
    statuses = []
    for target in problem.scenario.targets:
        achieved, met = problem.achieved(target, chosen)
        price = None if prices is None else prices.get(target.key)
        statuses.append(TargetStatus(target.key, target.kind.value, target.text, target.value, achieved, met, price))
    return tuple(statuses)


def _selection(problem: _Problem, chosen: np.ndarray) -> Selection:
    picked = tuple(problem.ids[i] for i in np.flatnonzero(chosen))
    return Selection(
        chosen=picked,
        objective=round(float(problem.scores @ chosen), DIGITS),
        budget_used=int(problem.amounts @ chosen),
        targets=_statuses(problem, chosen),
    )


def by_rank(candidates: Sequence[Candidate], scenario: Scenario) -> Selection:
    """The plain list: eligible dossiers by decreasing score until the money runs out."""
    problem = _Problem(candidates, scenario)
    return _by_rank(problem)


def _by_rank(problem: _Problem) -> Selection:
    order = sorted(np.flatnonzero(problem.eligible), key=lambda i: (-problem.scores[i], str(problem.ids[i])))
    chosen = np.zeros(len(problem.ids))
    left = float(problem.scenario.envelope)
    for i in order:
        if problem.amounts[i] > left:
            break
        chosen[i] = 1.0
        left -= problem.amounts[i]
    return _selection(problem, chosen)


def _prices(problem: _Problem, objective: float) -> dict[str, float]:
    prices = {}
    every = problem.all_groups()
    for target in problem.scenario.targets:
        result = problem.solve(every - {target.key})
        if result is not None and result.x is not None:
            without = float(problem.scores @ problem.chosen_vector(result))
            prices[target.key] = round(max(0.0, without - objective), DIGITS)
    return prices


def _failure(problem: _Problem, baseline: Selection, status: str, message: str, conflicts=()) -> AllocationResult:
    empty = np.zeros(len(problem.ids))
    return AllocationResult(
        scenario=problem.scenario.name,
        status=status,
        message=message,
        conflicts=tuple(conflicts),
        chosen=(),
        amounts={},
        objective=0.0,
        budget_used=0,
        envelope=problem.scenario.envelope,
        targets=_statuses(problem, empty),
        mip_gap=None,
        baseline=baseline,
    )


def _ineligible_pins(problem: _Problem) -> list[str]:
    return [
        f"pin:{cid}"
        for cid, pin in problem.pins.items()
        if pin.kind == PinKind.FORCE_IN and not problem.eligible[problem.index[cid]]
    ]


def allocate(*, candidates: Sequence[Candidate], scenario: Scenario, with_prices: bool = True) -> AllocationResult:
    """Best laureate list for the scenario, or nothing and the conflicting targets named in French."""
    problem = _Problem(candidates, scenario)
    baseline = _by_rank(problem)
    labels = problem.group_labels()
    wrong_pins = _ineligible_pins(problem)
    if wrong_pins:
        names = ", ".join(labels[g] for g in wrong_pins)
        message = f"Un dossier sous un seuil ne peut pas être financé : {names}. Aucun lauréat n’est retenu."
        return _failure(problem, baseline, "infeasible", message, [labels[g] for g in wrong_pins])
    result = problem.solve(problem.all_groups())
    if result.status == INFEASIBLE:
        conflicts = [labels[g] for g in _minimal_conflict(problem)]
        names = ", ".join(f"« {c} »" for c in conflicts)
        message = (
            f"Ces objectifs ne peuvent pas être tenus ensemble : {names}. "
            "Aucun lauréat n’est retenu ; assouplissez l’un d’eux."
        )
        return _failure(problem, baseline, "infeasible", message, conflicts)
    if result.x is None:
        message = f"Le solveur n’a pas trouvé de solution en {scenario.time_limit:g} s. Aucun lauréat n’est retenu."
        return _failure(problem, baseline, "no_solution", message)
    chosen = problem.chosen_vector(result)
    selection = _selection(problem, chosen)
    prices = _prices(problem, selection.objective) if with_prices else None
    return AllocationResult(
        scenario=scenario.name,
        status="optimal" if result.status == 0 else "feasible",
        message=None,
        conflicts=(),
        chosen=selection.chosen,
        amounts={cid: int(problem.amounts[problem.index[cid]]) for cid in selection.chosen},
        objective=selection.objective,
        budget_used=selection.budget_used,
        envelope=scenario.envelope,
        targets=_statuses(problem, chosen, prices),
        mip_gap=None if getattr(result, "mip_gap", None) is None else float(result.mip_gap),
        baseline=baseline,
    )
