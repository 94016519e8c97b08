"""From the database to the solvers: observations for calibration, candidates and targets for allocation."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from django.db.models import Exists, OuterRef

from fabriques.calls.enums import TargetKind as CallTarget
from fabriques.calls.enums import TargetScope
from fabriques.committee import allocation
from fabriques.committee.models import Scenario
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.evaluation.models import Score
from fabriques.evaluation.queries import counted
from fabriques.instruction.eligibility import eligibility_expression, eligibility_reason_expression
from fabriques.instruction.models import AdmissibilityCheck


def wave_observations(wave) -> list[tuple[int, int, float]]:
    """(dossier, evaluator, weighted score on the call's scale) for every submitted, active evaluation."""
    criteria = {c.pk: c for c in wave.call.criteria.all() if c.scored}  # text-only criteria carry no value
    if not criteria:
        return []
    low = min(float(c.scale_min) for c in criteria.values())
    high = max(float(c.scale_max) for c in criteria.values())
    rows = Score.objects.filter(
        counted("evaluation__"),
        evaluation__assignment__dossier__wave=wave,
        value__isnull=False,
    ).values_list("evaluation__assignment__dossier_id", "evaluation__assignment__evaluator_id", "criterion_id", "value")
    sums: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for dossier_id, evaluator_id, criterion_id, value in rows.iterator(chunk_size=5000):
        c = criteria.get(criterion_id)
        if c is None:
            continue
        lo, hi = float(c.scale_min), float(c.scale_max)
        on_scale = low + (float(value) - lo) / (hi - lo) * (high - low)
        acc = sums[(dossier_id, evaluator_id)]
        acc[0] += float(c.weight) * on_scale
        acc[1] += float(c.weight)
    return [(d, e, total / weight) for (d, e), (total, weight) in sums.items() if weight > 0]


def default_targets(wave) -> list[dict]:
    """The call's targets for one wave: wave-scoped as written, programme-wide ones pro rata of the wave."""
    share = (wave.max_laureates or 0) / wave.call.programme_laureates  # the call's programme-wide figure
    out = []
    for target in wave.call.targets.select_related("track"):
        value = target.value if target.scope == TargetScope.WAVE else math.floor(target.value * share)
        kind = {
            CallTarget.MIN_RURAL: allocation.TargetKind.MIN_RURAL,
            CallTarget.MIN_QPV: allocation.TargetKind.MIN_QPV,
            CallTarget.TRACK_COUNT: allocation.TargetKind.TRACK_MIN,
            CallTarget.REGION_MIN: (
                allocation.TargetKind.REGION_MIN if target.region_code else allocation.TargetKind.EVERY_REGION_MIN
            ),
            CallTarget.REGION_MAX: allocation.TargetKind.REGION_MAX,
            CallTarget.MAX_PER_WAVE: allocation.TargetKind.MAX_LAUREATES,
        }[target.kind]
        if value <= 0 and kind not in allocation.AT_MOST:
            continue
        out.append(
            {
                "kind": str(kind),
                "value": value,
                "track": target.track.slug if target.track else "",
                "region": target.region_code,
                "label": target.label
                if target.scope == TargetScope.WAVE
                else f"{target.label} : part de la vague, {value}",
            }
        )
    if wave.max_laureates and not any(t["kind"] == allocation.TargetKind.MAX_LAUREATES for t in out):
        out.append(
            {
                "kind": str(allocation.TargetKind.MAX_LAUREATES),
                "value": wave.max_laureates,
                "track": "",
                "region": "",
                "label": f"Au plus {wave.max_laureates} lauréats dans la vague",
            }
        )
    return out


CANDIDATE_STATES = [DossierState.EVALUATED, DossierState.WAITING_LIST, DossierState.LAUREATE, DossierState.NOT_RETAINED]


def candidate_scope(wave):
    """The wave's candidates, bare: the rows the committee ranks, for counts, sums and pages of ids."""
    return Dossier.objects.filter(wave=wave, state__in=CANDIDATE_STATES)


def with_flags(dossiers):
    """`eligibility_overridden`: a non-compliant line of the checklist was admitted by an explicit override;
    `eligibility`, `eligibility_reason`: the dossier's one eligibility truth (`instruction.eligibility`)."""
    overridden = AdmissibilityCheck.objects.filter(instruction__dossier=OuterRef("pk"), overrides_failure=True)
    return dossiers.annotate(eligibility_overridden=Exists(overridden), eligibility=eligibility_expression(),
                             eligibility_reason=eligibility_reason_expression())


def candidate_dossiers(wave):
    """Evaluated dossiers of the wave with everything the solver reads (and their flags, see `with_flags`)."""
    return with_flags(
        candidate_scope(wave).select_related("track", "organisation", "place_commune", "instruction", "score")
    )


def candidates_for(scenario: Scenario, dossiers=None) -> list[allocation.Candidate]:
    """The wave's evaluated dossiers as the solver sees them under this scenario's pins and amounts."""
    return candidates_from(
        list(dossiers if dossiers is not None else candidate_dossiers(scenario.wave)),
        use_calibrated=scenario.use_calibrated,
        pins={p.dossier_id: p for p in scenario.pins.all()},
        amounts={a.dossier_id: a.amount_eur for a in scenario.amounts.all()},
    )


def candidates_from(dossiers, *, use_calibrated: bool, pins: dict, amounts: dict) -> list[allocation.Candidate]:
    out = []
    for d in dossiers:
        score = getattr(d, "score", None)
        value = None
        if score is not None:
            value = score.calibrated if use_calibrated and score.calibrated is not None else score.weighted
        instruction = getattr(d, "instruction", None)
        pin = pins.get(d.pk)
        out.append(
            allocation.Candidate(
                id=d.pk,
                score=value if value is not None else 0.0,
                amount=amounts.get(d.pk, d.amount_requested_eur),
                track=d.track.slug,
                region=d.place_commune.region_code if d.place_commune else "",
                is_rural=bool(instruction and instruction.is_rural),
                is_qpv=bool(instruction and instruction.is_qpv),
                eligible=bool(score and score.weighted is not None and not score.below_threshold),
                pin=allocation.Pin(kind=allocation.PinKind(pin.kind), reason=pin.reason) if pin else None,
                name=d.reference or str(d.pk),
            )
        )
    return out


def solver_scenario(*, name: str, envelope: int, targets: list[dict]) -> allocation.Scenario:
    return allocation.Scenario(
        envelope=envelope,
        name=name,
        time_limit=10.0,
        mip_rel_gap=1e-4,
        targets=tuple(
            allocation.Target(
                kind=allocation.TargetKind(t["kind"]),
                value=int(t["value"]),
                track=t.get("track", ""),
                region=t.get("region", ""),
                label=t.get("label", ""),
            )
            for t in targets
        ),
    )


def scenario_for_solver(scenario: Scenario) -> allocation.Scenario:
    return solver_scenario(name=scenario.name, envelope=scenario.envelope_eur, targets=scenario.targets)


def ranked(values: dict[int, float]) -> list[int]:
    ids = np.array(list(values.keys()))
    scores = np.array([values[i] for i in ids])
    return [int(i) for i in ids[np.argsort(-scores, kind="stable")]]


def amounts_of(result: dict) -> dict[int, int]:
    """{dossier id: amount} from a stored allocation result."""
    return {int(item["id"]): int(item["amount"]) for item in result.get("amounts", [])}
