"""Eligibility of a place for a track: one result per rule of the track, pass / fail / manual.

This is the interface the dossiers and instruction apps use:

    report = eligibility_report(track=track, latitude=..., longitude=..., commune_code=..., legal_form_code=...,
                                address=...)   # address: optional, geocoded only when FABRIQUES_BAN_URL is set
    report.status            # "pass" | "fail" | "manual"
    report.results           # [RuleResult(kind, label, status, reason)]
    report.as_dict()         # JSON-ready, stored on the dossier

It never claims a result it could not compute: a rule whose data is missing is "manual".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from django.utils import timezone

from fabriques.calls.enums import RuleKind
from fabriques.calls.kinds import RULE_KINDS, RuleKindSpec, rule_kind_register
from fabriques.calls.models import Track
from fabriques.territory.enums import QPV_VINTAGES, Dataset, GeometryStatus
from fabriques.territory.locate import Location, locate, qpv_situation_at
from fabriques.territory.queries import dataset_imports_latest

Status = Literal["pass", "fail", "manual"]
PASS: Status = "pass"  # noqa: S105 - a rule status, not a password
FAIL: Status = "fail"
MANUAL: Status = "manual"
GEO_RULES = {RuleKind.QPV_PROXIMITY, RuleKind.TIERS_LIEUX_NETWORK}


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
    datasets: list[dict] = field(default_factory=list)  # the reference data used: kept with a deposited dossier

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
            "datasets": list(self.datasets),
        }


def geo_rule_result(rule, track: Track, location: Location | None) -> RuleResult | None:
    """The result of one geographic rule for a located place (batch checks: without the other-vintage indication,
    which would locate each place again); None for a rule that is not geographic."""
    if rule.kind == RuleKind.QPV_PROXIMITY:
        return _qpv_proximity(rule, track, location, indication=False)
    if rule.kind == RuleKind.TIERS_LIEUX_NETWORK:
        return _tiers_lieux_network(rule, track, location)
    return None


def _legal_form(rule, track: Track, legal_form_code: str | None) -> RuleResult:
    if not legal_form_code:
        return RuleResult(rule.kind, rule.label, MANUAL, "Forme juridique non renseignée.")
    forms = {f.code: f.label for f in track.call.legal_forms.all()}
    if legal_form_code in forms:
        return RuleResult(rule.kind, rule.label, PASS, f"{forms[legal_form_code]} : forme éligible.")
    return RuleResult(rule.kind, rule.label, FAIL, "Cette forme juridique ne figure pas parmi les formes éligibles.")


# With only the commune's point, a place may be anywhere in the commune: below this margin beyond the
# threshold the answer is left to a person.
APPROXIMATE_MARGIN_M = 5000


def _metres(distance: float) -> str:
    if distance < 10000:
        return f"{round(distance):,} m".replace(",", "\u202f")
    return f"{distance / 1000:,.0f} km".replace(",", "\u202f")


def _qpv_unknown(rule, location: Location | None, vintage: int) -> RuleResult | None:
    """A manual result when the QPV situation could not be computed, else None."""
    if location is None or not location.located:
        return RuleResult(rule.kind, rule.label, MANUAL, "Lieu non renseigné : indiquez la commune ou l’adresse.")
    if location.refused:
        return RuleResult(rule.kind, rule.label, FAIL, location.refused)
    qpv = location.qpv
    if not qpv.loaded:
        return RuleResult(
            rule.kind, rule.label, MANUAL,
            f"Les périmètres des QPV {vintage} ne sont pas chargés : la proximité sera vérifiée par l’instructeur.",
        )
    if qpv.covered is False or qpv.distance_m is None:
        return RuleResult(
            rule.kind, rule.label, MANUAL,
            f"Les périmètres des QPV {vintage} chargés ne couvrent pas ce territoire : "
            "la proximité sera vérifiée par l’instructeur.",
        )
    return None


def _uncovered_nearby(rule, location: Location, vintage: int, distance: str) -> RuleResult | None:
    """Manual when a territory the loaded perimeters do not cover is within the threshold (a regional file)."""
    edge = location.qpv.uncovered_within_m
    if edge is None or edge > (rule.max_distance_m or 0):
        return None
    return RuleResult(
        rule.kind, rule.label, MANUAL,
        f"Parmi les QPV {vintage} chargés, le lieu est {distance} ; mais il est à moins de {_metres(max(edge, 1000))} "
        f"d’un territoire que ces périmètres {vintage} ne couvrent pas : un quartier plus proche pourrait s’y "
        "trouver, la proximité sera vérifiée par l’instructeur.",
    )


def _qpv_doubt(rule, location: Location, where: str, distance: str, threshold: int) -> RuleResult | None:
    """Manual when only the commune's centre is known, or the nearest QPV is a point, near the threshold."""
    qpv = location.qpv
    if location.approximate and (qpv.inside or qpv.distance_m <= threshold + APPROXIMATE_MARGIN_M):
        return RuleResult(
            rule.kind, rule.label, MANUAL,
            f"Seul le centre de la commune est connu ({distance}) : précisez l’adresse ou les coordonnées du lieu.",
        )
    if qpv.geometry_status == GeometryStatus.COLLAPSED and qpv.distance_m <= threshold + APPROXIMATE_MARGIN_M:
        return RuleResult(
            rule.kind, rule.label, MANUAL,
            f"Le périmètre du {where} est réduit à un point dans le fichier officiel ({distance}) : "
            "vérification par l’instructeur.",
        )
    return None


def _qpv_proximity(rule, track: Track, location: Location | None, *, indication: bool = True) -> RuleResult:
    vintage = track.call.qpv_vintage
    unknown = _qpv_unknown(rule, location, vintage)
    if unknown is not None:
        if unknown.status != MANUAL or not indication:
            return unknown
        note = _qpv_indication(location, vintage)
        return RuleResult(unknown.kind, unknown.label, unknown.status, f"{unknown.reason}{note}")
    qpv = location.qpv
    threshold = rule.max_distance_m or 0
    where = f"QPV {qpv.code} {qpv.name}"
    distance = f"à {_metres(qpv.distance_m)} du {where}, seuil {_metres(threshold)}"
    doubt = _qpv_doubt(rule, location, where, distance, threshold)
    if doubt is not None:
        return doubt
    if qpv.inside or qpv.distance_m <= threshold:
        return RuleResult(rule.kind, rule.label, PASS, f"Dans le {where}." if qpv.inside else f"À {distance[2:]}.")
    edge = _uncovered_nearby(rule, location, vintage, distance)
    if edge is not None:
        return edge
    text = f"Centre de la commune {distance}" if location.approximate else f"À{distance[1:]}"
    return RuleResult(rule.kind, rule.label, FAIL, f"{text}.")


def _tiers_lieux_network(rule, track: Track, location: Location | None) -> RuleResult:
    if location is None or not location.located:
        return RuleResult(rule.kind, rule.label, MANUAL, "Lieu non renseigné : indiquez la commune ou l’adresse.")
    if location.refused:
        return RuleResult(rule.kind, rule.label, FAIL, location.refused)
    nearby = location.tiers_lieux
    if not nearby.loaded:
        return RuleResult(
            rule.kind, rule.label, MANUAL,
            "Le recensement des tiers-lieux n’est pas chargé : le réseau local sera apprécié par l’instructeur.",
        )
    origin = " du centre de la commune" if location.approximate else ""
    radius = _metres(nearby.radius_m)
    minimum = rule.min_count or 0
    if nearby.count < minimum:
        status = MANUAL if location.approximate else FAIL
        return RuleResult(
            rule.kind, rule.label, status,
            f"{nearby.count} tiers-lieu(x) recensé(s) à moins de {radius}{origin}, minimum {minimum}.",
        )
    if not nearby.count:
        return RuleResult(
            rule.kind, rule.label, PASS,
            f"Aucun tiers-lieu recensé à moins de {radius}{origin} : le projet peut amorcer un réseau local.",
        )
    first = nearby.nearest[0]
    plural = "tiers-lieux recensés" if nearby.count > 1 else "tiers-lieu recensé"
    return RuleResult(
        rule.kind, rule.label, PASS,
        f"{nearby.count} {plural} à moins de {radius}{origin} ; le plus proche : "
        f"{first['name']} ({first['commune']}) à {_metres(first['distance_m'])}.",
    )


def eligibility_report(
    *,
    track: Track,
    latitude: float | None = None,
    longitude: float | None = None,
    commune_code: str | None = None,
    legal_form_code: str | None = None,
    address: str | None = None,
) -> EligibilityReport:
    """Check every rule of the track for this place; missing data gives 'manual', never a guess."""
    rules = list(track.rules.all())
    location = None
    if any(r.kind in GEO_RULES for r in rules) and (commune_code or address or latitude is not None):
        location = locate(
            latitude=latitude, longitude=longitude, address=address, commune_code=commune_code,
            qpv_vintage=track.call.qpv_vintage, tiers_lieux_radius_m=track.call.tiers_lieux_radius_m,
        )
    results = []
    for rule in rules:
        spec = RULE_KINDS.get(rule.kind)
        if spec is not None and spec.check is not None:
            results.append(spec.check(rule, track, location=location, legal_form_code=legal_form_code))
    return EligibilityReport(
        results=results, location=location.as_dict() if location else None,
        notes=list(location.notes) if location else [],
        datasets=_datasets_used(track) if location else [],
    )


def _datasets_used(track: Track) -> list[dict]:
    """Which import of each dataset the check read (QPV of the call's vintage, communes, census), for the record."""
    wanted = [Dataset.COMMUNES, Dataset.for_vintage(track.call.qpv_vintage), Dataset.TIERS_LIEUX]
    latest = dataset_imports_latest()
    return [
        {"dataset": str(d), "label": d.label, "file_name": latest[d].file_name,
         "imported_on": timezone.localdate(latest[d].imported_at).isoformat()}
        for d in wanted if d in latest
    ]


def _qpv_indication(location: Location | None, vintage: int) -> str:
    """When the call's QPV vintage cannot answer for a place, what another vintage that covers it says, as an
    indication only (the rule stays with the instructor): e.g. the 2019 call's 2015 list outside Occitanie."""
    if location is None or not location.located:
        return ""
    for other in sorted(QPV_VINTAGES, reverse=True):
        if other == vintage:
            continue
        qpv = qpv_situation_at(longitude=location.longitude, latitude=location.latitude, vintage=other,
                               region=location.region, departement=location.departement)
        if not qpv.loaded or qpv.covered is False or qpv.distance_m is None:
            continue
        origin = "le centre de la commune est" if location.approximate else "le lieu est"
        where = f"dans le QPV {qpv.code} {qpv.name}" if qpv.inside else (
            f"à {_metres(qpv.distance_m)} du QPV {qpv.code} {qpv.name}")
        return f" À titre indicatif, d’après les QPV {other} : {origin} {where}."
    return ""


def rule_kinds_register() -> None:
    """The rule kinds this app checks, for definitions to name (called from TerritoryConfig.ready)."""
    rule_kind_register(RuleKindSpec(
        RuleKind.LEGAL_FORM.value, RuleKind.LEGAL_FORM.label,
        check=lambda rule, track, *, location, legal_form_code: _legal_form(rule, track, legal_form_code),
    ))
    rule_kind_register(RuleKindSpec(
        RuleKind.QPV_PROXIMITY.value, RuleKind.QPV_PROXIMITY.label, requires=("max_distance_m",),
        check=lambda rule, track, *, location, legal_form_code: _qpv_proximity(rule, track, location),
    ))
    rule_kind_register(RuleKindSpec(
        RuleKind.TIERS_LIEUX_NETWORK.value, RuleKind.TIERS_LIEUX_NETWORK.label,
        check=lambda rule, track, *, location, legal_form_code: _tiers_lieux_network(rule, track, location),
    ))
