"""Calibration of evaluator severity over a whole wave (additive bias model).

Model (MacKay, Kenna, Low & Parker 2017, "Calibration with confidence", additive case)::

    score[d, e] = q[d] + b[e] + ε,    ε ~ N(0, σ²),    b[e] ~ N(0, σ_b²)

``q[d]`` is the dossier's calibrated quality, ``b[e]`` the evaluator's bias (positive: lenient).
The estimate minimises the regularised least-squares criterion::

    Σ_obs w_i (y_i − q[d_i] − b[e_i])²  +  λ Σ_e b[e]²,        λ = σ² / σ_b² (``bias_ridge``)

The ridge on the biases is the Gaussian prior of the paper; it also fixes the model's gauge
(adding c to every q and −c to every b changes nothing else), which makes the biases of each
connected part sum to (almost exactly) zero, so the qualities stay on the call's scale.

Solution: the normal equations ``[[D_q, C], [Cᵀ, D_b + λI]] [q; b] = [s_q; s_b]`` have a
diagonal dossier block ``D_q``, so the dossiers are eliminated exactly (Schur complement)
and only the evaluator system ``(D_b + λI − Cᵀ D_q⁻¹ C) b = s_b − Cᵀ D_q⁻¹ s_q`` is solved.
That matrix is sparse (one entry per pair of evaluators sharing a dossier), symmetric positive
definite thanks to the ridge, and well conditioned when evaluators are well mixed: it is solved
by Jacobi-preconditioned conjugate gradients (sparse LU if they stall). Then
``q = D_q⁻¹ (s_q − C b)``.

The model only compares dossiers linked by chains of shared evaluators: the connected
components of the evaluator–dossier bipartite graph (``scipy.sparse.csgraph``) are reported,
and a warning is raised when there is more than one.

Uncertainty band: a bootstrap over evaluations stratified by dossier (each round redraws, for
every dossier, as many of its evaluations as it has, with replacement, then refits the whole
model). The bootstrap deviations from the estimate are widened by ``sqrt(n/(n−1))`` (``n``
evaluations of the dossier), the usual small-sample correction of a resampled mean; a dossier
with a single evaluation only gets the spread due to the uncertainty of its evaluator's bias.
With three evaluations per dossier the band is still narrower than a nominal interval would be:
read it as an indication of which ranks are fragile, not as a guarantee.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import cg, spsolve

from fabriques.evaluation.consolidation import Consolidation

DIGITS = 3
CG_RTOL = 1e-10
BOOTSTRAP_RTOL = 1e-6  # bands are reported to 3 decimals
CG_MAXITER = 1000

Id = int | str


class DossierQuality(NamedTuple):
    """One dossier's figures (a named tuple: a wave has tens of thousands of them)."""

    dossier_id: Id
    raw_mean: float
    quality: float
    low: float | None
    high: float | None
    evaluations: int
    component: int


class EvaluatorBias(NamedTuple):
    evaluator_id: Id
    bias: float
    evaluations: int
    component: int


@dataclass(frozen=True)
class Calibration:
    """Calibrated qualities and biases of a wave; ``component`` 0 is the largest part."""

    dossiers: tuple[DossierQuality, ...]
    evaluators: tuple[EvaluatorBias, ...]
    residual_sd: float | None
    components: int
    connected: bool
    warning: str | None
    bias_ridge: float
    bootstrap_rounds: int
    band: tuple[float, float]

    def by_dossier(self) -> dict[Id, DossierQuality]:
        return {d.dossier_id: d for d in self.dossiers}

    def as_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["dossiers"] = [d._asdict() for d in self.dossiers]
        data["evaluators"] = [e._asdict() for e in self.evaluators]
        data["band"] = list(self.band)
        return data


def _index(ids: Sequence[Id]) -> tuple[list[Id], np.ndarray]:
    """Distinct ids (sorted when they are all numbers or all text) and each row's position among them."""
    array = np.asarray(ids) if len(set(map(type, ids))) == 1 else np.asarray(ids, dtype=object)
    if array.dtype.kind in "iuU":
        distinct, codes = np.unique(array, return_inverse=True)
        return distinct.tolist(), codes.astype(np.int64)
    positions: dict[Id, int] = {}
    codes = np.fromiter((positions.setdefault(i, len(positions)) for i in ids), dtype=np.int64, count=len(ids))
    return list(positions), codes


class _Design:
    """The observations as index arrays, plus the fixed sparsity pattern of the evaluator system.

    The evaluator system has one entry per pair of evaluators sharing a dossier (and the
    diagonal); its pattern is the same for every refit, only the values change with the weights.
    """

    def __init__(self, d: np.ndarray, e: np.ndarray, y: np.ndarray, n_d: int, n_e: int) -> None:
        self.d, self.e, self.y, self.n_d, self.n_e = d, e, y, n_d, n_e
        order = np.argsort(d, kind="stable")
        counts = np.bincount(d, minlength=n_d)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        sorted_d = d[order]
        repeat = counts[sorted_d]
        first = np.repeat(np.arange(len(d)), repeat)
        offset = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        second = starts[sorted_d][first] + offset
        self.pair_a, self.pair_b = order[first], order[second]
        self.pair_d = d[self.pair_a]
        keys = np.concatenate((e[self.pair_a] * n_e + e[self.pair_b], np.arange(n_e) * (n_e + 1)))
        unique, self.slots = np.unique(keys, return_inverse=True)
        self.n_pairs = len(self.pair_a)
        self.columns = unique % n_e
        self.indptr = np.searchsorted(unique // n_e, np.arange(n_e + 1))

    def solve(
        self, w: np.ndarray, ridge: float, start: np.ndarray | None = None, rtol: float = CG_RTOL
    ) -> tuple[np.ndarray, np.ndarray]:
        d, e = self.d, self.e
        dq = np.bincount(d, w, self.n_d)
        sq = np.bincount(d, w * self.y, self.n_d)
        diagonal = np.bincount(e, w, self.n_e) + ridge
        values = np.concatenate((-w[self.pair_a] * w[self.pair_b] / dq[self.pair_d], diagonal))
        data = np.bincount(self.slots, values, len(self.columns))
        schur = sp.csr_matrix((data, self.columns, self.indptr), shape=(self.n_e, self.n_e))
        rhs = np.bincount(e, w * (self.y - (sq / dq)[d]), self.n_e)
        b, info = cg(schur, rhs, x0=start, rtol=rtol, maxiter=CG_MAXITER, M=sp.diags(1.0 / diagonal))
        if info != 0:  # poorly linked graph: fall back to a direct sparse solve
            b = spsolve(schur.tocsc(), rhs)
        q = (sq - np.bincount(d, w * b[e], self.n_d)) / dq
        return q, b


def _components(design: _Design) -> tuple[int, np.ndarray, np.ndarray]:
    n = design.n_d + design.n_e
    graph = sp.csr_matrix((np.ones(len(design.d)), (design.d, design.n_d + design.e)), shape=(n, n))
    count, labels = connected_components(graph, directed=False)
    order = np.argsort(-np.bincount(labels, minlength=count), kind="stable")  # largest part first
    relabel = np.empty(count, dtype=np.int64)
    relabel[order] = np.arange(count)
    labels = relabel[labels]
    return count, labels[: design.n_d], labels[design.n_d :]


def _bootstrap(design: _Design, ridge: float, rounds: int, seed: int, start: np.ndarray) -> np.ndarray:
    """Qualities refitted on ``rounds`` resamples stratified by dossier, shape (rounds, dossiers)."""
    rng = np.random.default_rng(seed)
    order = np.argsort(design.d, kind="stable")
    counts = np.bincount(design.d, minlength=design.n_d)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    sorted_d = design.d[order]
    base, size = starts[sorted_d], counts[sorted_d]
    samples = np.empty((rounds, design.n_d))
    for r in range(rounds):
        picks = order[base + (rng.random(len(order)) * size).astype(np.int64)]
        weights = np.bincount(picks, minlength=len(order)).astype(float)
        samples[r], _ = design.solve(weights, ridge, start, BOOTSTRAP_RTOL)
    return samples


def calibrate(
    *,
    observations: Iterable[tuple[Id, Id, Decimal | int | float]],
    bias_ridge: float = 1.0,
    bootstrap_rounds: int = 50,
    band: tuple[float, float] = (5.0, 95.0),
    seed: int = 0,
) -> Calibration:
    """Fit the additive bias model on (dossier_id, evaluator_id, score) triples; deterministic for a seed."""
    rows = list(observations)
    if not rows:
        raise ValueError("calibration needs at least one evaluation")
    if bias_ridge <= 0:
        raise ValueError("bias_ridge must be positive (it is the prior that anchors the biases)")
    dossier_column, evaluator_column, score_column = zip(*rows, strict=True)
    dossier_ids, d = _index(dossier_column)
    evaluator_ids, e = _index(evaluator_column)
    y = np.array(score_column, dtype=float)
    if not np.all(np.isfinite(y)):
        raise ValueError("scores must be finite numbers")
    design = _Design(d, e, y, len(dossier_ids), len(evaluator_ids))

    ones = np.ones(len(y))
    q, b = design.solve(ones, bias_ridge)
    n_comp, comp_d, comp_e = _components(design)
    residuals = y - q[d] - b[e]
    dof = len(y) - design.n_d - design.n_e + n_comp
    residual_sd = float(np.sqrt(residuals @ residuals / dof)) if dof > 0 else None

    low = high = None
    n_per_d = np.bincount(d, minlength=design.n_d)
    if bootstrap_rounds > 0:
        samples = _bootstrap(design, bias_ridge, bootstrap_rounds, seed, b)
        widen = np.where(n_per_d > 1, np.sqrt(n_per_d / np.maximum(n_per_d - 1, 1)), 1.0)
        pct_low, pct_high = np.percentile(samples, band, axis=0)
        low, high = q + (pct_low - q) * widen, q + (pct_high - q) * widen
    raw = np.bincount(d, y, design.n_d) / n_per_d
    n_per_e = np.bincount(e, minlength=design.n_e)

    def rounded(values: np.ndarray | None) -> list[float | None]:
        return [None] * design.n_d if values is None else np.round(values, DIGITS).tolist()

    dossiers = tuple(
        map(
            DossierQuality._make,
            zip(
                dossier_ids,
                rounded(raw),
                rounded(q),
                rounded(low),
                rounded(high),
                n_per_d.tolist(),
                comp_d.tolist(),
                strict=True,
            ),
        )
    )
    evaluators = tuple(
        map(
            EvaluatorBias._make,
            zip(evaluator_ids, np.round(b, DIGITS).tolist(), n_per_e.tolist(), comp_e.tolist(), strict=True),
        )
    )
    warning = None
    if n_comp > 1:
        warning = (
            f"Le graphe évaluateurs–dossiers n’est pas connexe ({n_comp} parties) : "
            "les scores calibrés ne sont comparables qu’au sein de chaque partie."
        )
    return Calibration(
        dossiers=dossiers,
        evaluators=evaluators,
        residual_sd=None if residual_sd is None else round(residual_sd, DIGITS),
        components=n_comp,
        connected=n_comp == 1,
        warning=warning,
        bias_ridge=float(bias_ridge),
        bootstrap_rounds=bootstrap_rounds,
        band=(float(band[0]), float(band[1])),
    )


def observations_from(consolidations: Mapping[Id, Consolidation]) -> Iterator[tuple[Id, Id, float]]:
    """(dossier, evaluator, score) triples from each dossier's consolidation: the evaluators' weighted scores."""
    for dossier_id, consolidation in consolidations.items():
        for own in consolidation.evaluator_scores:
            if own.score is not None:
                yield dossier_id, own.evaluator_id, own.score


def bands_crossing(calibration: Calibration, *, funding_line: Decimal | float) -> tuple[Id, ...]:
    """Dossiers whose uncertainty band contains the funding line (their side of it is fragile)."""
    line = float(funding_line)
    return tuple(
        d.dossier_id
        for d in calibration.dossiers
        if d.low is not None and d.high is not None and d.low <= line <= d.high
    )
