"""Reads for the committee session page: ranked candidates, funding line, gauge, flags."""

from __future__ import annotations

from dataclasses import dataclass, field

from fabriques.calls.models import Criterion
from fabriques.committee.candidates import amounts_of, candidate_dossiers
from fabriques.committee.models import Decision, Scenario
from fabriques.instruction.eligibility import Eligibility, eligibility_of


@dataclass
class Row:
    dossier: object
    rank: int
    score: float | None
    raw: float | None
    band: tuple[float | None, float | None]
    amount: int
    chosen: bool
    by_rank: bool
    flags: list[str] = field(default_factory=list)
    pin: object | None = None
    decision: Decision | None = None


@dataclass
class Session:
    rows: list[Row]
    scenario: Scenario | None
    funding_line: float | None
    budget_used: int
    envelope: int
    crossing: int


def session(wave, scenario: Scenario | None) -> Session:
    """The ranked candidates of the wave against a scenario's result (a fixed number of queries)."""
    dossiers = list(candidate_dossiers(wave))
    result = scenario.result if scenario else {}
    chosen = {int(i) for i in result.get("chosen", [])}
    baseline = {int(i) for i in (result.get("baseline") or {}).get("chosen", [])}
    amounts = amounts_of(result)
    pins = {p.dossier_id: p for p in scenario.pins.all()} if scenario else {}
    overrides = {a.dossier_id: a.amount_eur for a in scenario.amounts.all()} if scenario else {}
    decisions = {d.dossier_id: d for d in Decision.objects.filter(dossier__wave=wave)}
    calibrated = scenario.use_calibrated if scenario else True
    titles = dict(Criterion.objects.filter(call_id=wave.call_id).values_list("code", "title"))

    def value(d):
        s = getattr(d, "score", None)
        if s is None:
            return None, None, (None, None)
        main = s.calibrated if calibrated and s.calibrated is not None else s.weighted
        return main, s.weighted, (s.band_low, s.band_high)

    scored = [(d, *value(d)) for d in dossiers]
    scored.sort(key=lambda t: (t[1] is None, -(t[1] or 0), t[0].pk))
    line = min((t[1] for t in scored if t[0].pk in chosen and t[1] is not None), default=None)
    rows, crossing = [], 0
    for rank, (d, main, raw, band) in enumerate(scored, start=1):
        s = getattr(d, "score", None)
        flags = []
        if getattr(d, "eligibility", "") == Eligibility.FORCED:
            flags.append(eligibility_of(d).text)  # « Éligibilité forcée : <motif> », as on every page
        elif getattr(d, "eligibility_overridden", False):
            flags.append("Dérogation à un point de recevabilité non conforme")
        if s is not None and s.disagreement:
            flags.append("Désaccord entre évaluateurs")
        if s is not None and s.below_threshold:
            flags.append("Sous le seuil : " + ", ".join(titles.get(code, code) for code in s.below_threshold))
        if line is not None and band[0] is not None and band[0] <= line <= band[1]:
            flags.append("Incertitude à cheval sur la ligne de financement")
            crossing += 1
        rows.append(
            Row(
                dossier=d,
                rank=rank,
                score=main,
                raw=raw,
                band=band,
                amount=amounts.get(d.pk, overrides.get(d.pk, d.amount_requested_eur)),
                chosen=d.pk in chosen,
                by_rank=d.pk in baseline,
                flags=flags,
                pin=pins.get(d.pk),
                decision=decisions.get(d.pk),
            )
        )
    return Session(
        rows=rows,
        scenario=scenario,
        funding_line=line,
        budget_used=result.get("budget_used", 0),
        envelope=scenario.envelope_eur if scenario else (wave.envelope_eur or 0),
        crossing=crossing,
    )
