"""Properties of the allocation on random small waves, checked against exhaustive search."""

from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fabriques.committee.allocation import AT_MOST, Candidate, Pin, PinKind, Scenario, Target, TargetKind, allocate

REGIONS = ("11", "24", "93")
TRACKS = ("territoire", "numerique")


@st.composite
def waves(draw):
    size = draw(st.integers(1, 8))
    candidates = [
        Candidate(
            id=i,
            score=draw(st.integers(0, 20)) / 4,
            amount=draw(st.integers(1, 6)) * 10,
            track=draw(st.sampled_from(TRACKS)),
            region=draw(st.sampled_from(REGIONS)),
            is_rural=draw(st.booleans()),
            is_qpv=draw(st.booleans()),
            eligible=draw(st.booleans().map(lambda b: b or draw(st.booleans()))),  # ~75 % eligible
        )
        for i in range(size)
    ]
    pins = {
        i: Pin(draw(st.sampled_from(list(PinKind))), "motif")
        for i in draw(st.sets(st.integers(0, size - 1), max_size=2))
    }
    possible = [
        Target(TargetKind.MIN_RURAL, draw(st.integers(0, 2))),
        Target(TargetKind.MIN_QPV, draw(st.integers(0, 2))),
        Target(TargetKind.TRACK_MIN, draw(st.integers(0, 2)), track="numerique"),
        Target(TargetKind.REGION_MAX, draw(st.integers(0, 3)), region="11"),
        Target(TargetKind.EVERY_REGION_MIN, draw(st.integers(0, 1))),
        Target(TargetKind.MAX_LAUREATES, draw(st.integers(1, 6))),
    ]
    targets = tuple(t for t in possible if draw(st.booleans()))
    return candidates, Scenario(envelope=draw(st.integers(0, 200)), targets=targets, pins=pins)


def feasible(subset, candidates, scenario):
    """Direct check of every rule on a chosen subset (independent of the solver's formulation)."""
    chosen = [c for c, x in zip(candidates, subset, strict=True) if x]
    if sum(c.amount for c in chosen) > scenario.envelope or any(not c.eligible for c in chosen):
        return False
    ids = {c.id for c in chosen}
    for cid, pin in scenario.pins.items():
        if (pin.kind == PinKind.FORCE_IN) != (cid in ids):
            return False
    return all(target_met(t, chosen, candidates) for t in scenario.targets)


def target_met(target, chosen, candidates):
    kind = target.kind
    if kind == TargetKind.EVERY_REGION_MIN:
        regions = {c.region for c in candidates if c.eligible}
        return all(sum(c.region == r for c in chosen) >= target.value for r in regions)
    count = {
        TargetKind.MIN_RURAL: lambda c: c.is_rural,
        TargetKind.MIN_QPV: lambda c: c.is_qpv,
        TargetKind.TRACK_MIN: lambda c: c.track == target.track,
        TargetKind.REGION_MAX: lambda c: c.region == target.region,
        TargetKind.MAX_LAUREATES: lambda c: True,
    }[kind]
    achieved = sum(1 for c in chosen if count(c))
    return achieved <= target.value if kind in AT_MOST else achieved >= target.value


def best_by_exhaustion(candidates, scenario):
    best = None
    for subset in product((0, 1), repeat=len(candidates)):
        if feasible(subset, candidates, scenario):
            value = sum(c.score for c, x in zip(candidates, subset, strict=True) if x)
            best = value if best is None else max(best, value)
    return best


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(waves())
def test_allocation_is_optimal_and_respects_every_rule(wave):
    candidates, scenario = wave

    result = allocate(candidates=candidates, scenario=scenario)
    best = best_by_exhaustion(candidates, scenario)

    if best is None:
        assert (result.status, result.chosen, result.budget_used) == ("infeasible", (), 0)
        assert result.conflicts
        return
    assert result.status == "optimal"
    subset = [int(c.id in result.chosen) for c in candidates]
    assert feasible(subset, candidates, scenario)  # envelope, thresholds, pins and targets all held
    assert result.budget_used <= scenario.envelope
    assert abs(result.objective - best) < 1e-6
    assert all(t.met and t.price is not None and t.price >= 0 for t in result.targets)
    baseline = [int(c.id in result.baseline.chosen) for c in candidates]
    if feasible(baseline, candidates, scenario):
        assert result.objective >= result.baseline.objective - 1e-9
