"""Eligibility of a place for a track: one result per rule of the track, pass / fail / manual.

This is the interface the dossiers and instruction apps use:

    report = eligibility_report(track=track, latitude=..., longitude=..., commune_code=..., legal_form_code=...)
    report.status            # "pass" | "fail" | "manual"
    report.results           # [RuleResult(kind, label, status, reason)]
    report.as_dict()         # JSON-ready, stored on the dossier

It never claims a result it could not compute: a rule whose data is missing is "manual".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from fabriques.calls.enums import RuleKind
from fabriques.calls.models import Track

Status = Literal["pass", "fail", "manual"]
PASS: Status = "pass"  # noqa: S105 - a rule status, not a password
FAIL: Status = "fail"
MANUAL: Status = "manual"


@dataclass(frozen=True)
class RuleResult:
    kind: str
    label: str
    status: Status
    reason: str


@dataclass(frozen=True)
class EligibilityReport:
    results: list[RuleResult]
    location: dict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        statuses = {r.status for r in self.results}
        if FAIL in statuses:
            return FAIL
        if MANUAL in statuses:
            return MANUAL
        return PASS

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "results": [asdict(r) for r in self.results],
            "location": self.location,
            "notes": list(self.notes),
        }


def _legal_form(rule, track: Track, legal_form_code: str | None) -> RuleResult:
    if not legal_form_code:
        return RuleResult(rule.kind, rule.label, MANUAL, "Forme juridique non renseignée.")
    forms = {f.code: f.label for f in track.call.legal_forms.all()}
    if legal_form_code in forms:
        return RuleResult(rule.kind, rule.label, PASS, f"{forms[legal_form_code]} : forme éligible.")
    return RuleResult(rule.kind, rule.label, FAIL, "Cette forme juridique ne figure pas parmi les formes éligibles.")


def _qpv_proximity(rule, track: Track, location: dict | None) -> RuleResult:
    return RuleResult(
        rule.kind, rule.label, MANUAL,
        "Les périmètres des QPV ne sont pas chargés : la proximité sera vérifiée par l’instructeur.",
    )


def _tiers_lieux_network(rule, track: Track, location: dict | None) -> RuleResult:
    return RuleResult(
        rule.kind, rule.label, MANUAL,
        "Le recensement des tiers-lieux n’est pas chargé : le réseau local sera apprécié par l’instructeur.",
    )


def eligibility_report(
    *,
    track: Track,
    latitude: float | None = None,
    longitude: float | None = None,
    commune_code: str | None = None,
    legal_form_code: str | None = None,
) -> EligibilityReport:
    """Check every rule of the track for this place; missing data gives 'manual', never a guess."""
    location = None
    results = []
    for rule in track.rules.all():
        if rule.kind == RuleKind.LEGAL_FORM:
            results.append(_legal_form(rule, track, legal_form_code))
        elif rule.kind == RuleKind.QPV_PROXIMITY:
            results.append(_qpv_proximity(rule, track, location))
        elif rule.kind == RuleKind.TIERS_LIEUX_NETWORK:
            results.append(_tiers_lieux_network(rule, track, location))
    return EligibilityReport(results=results, location=location)
