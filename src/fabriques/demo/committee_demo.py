"""A closed demo wave of about 60 evaluated dossiers, for the committee: real places, honest eligibility.

Everything goes through the domain functions: deposits (which compute eligibility on the shipped reference data),
routing, admissibility, automatic assignment, conflict declarations and score submissions. The places
(`places.py`) were chosen so that every balance target of the wave can be met. The instructor follows the rules:
a line the data could not settle is confirmed with a reason; a failed rule makes the dossier inadmissible with its
reason, except one case admitted by an explicit override whose reason is shown wherever the dossier is. Scores
follow a hidden quality per dossier, a severity per evaluator and some noise, so the calibration has something to
find; the committee's page opens on a solved default scenario.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.test.utils import override_settings
from django.utils import timezone

from fabriques.accounts.enums import Role
from fabriques.accounts.models import User
from fabriques.calls.models import Wave
from fabriques.committee.domain import scenario_create, scenario_solve, wave_calibrate
from fabriques.demo.builders import build_dossier
from fabriques.demo.people import demo_user
from fabriques.demo.places import COMMUNES, DemoPlace, closed_wave_places
from fabriques.dossiers.enums import DossierState
from fabriques.evaluation.assignments import assignments_auto, conflict_declare
from fabriques.evaluation.enums import AssignmentState
from fabriques.evaluation.models import Assignment
from fabriques.evaluation.scoring import ScoreInput, evaluation_submit
from fabriques.instruction.admissibility import admissibility_decide, check_confirm, instruction_start
from fabriques.instruction.enums import CheckItem, CheckStatus
from fabriques.instruction.routing import national_group, territory_class_set
from fabriques.territory.models import Commune

EVALUATORS = 8
# Without the reference data (unit tests), a line the data cannot settle is confirmed by hand with this reason.
CHECKED_BY_HAND = "Données de référence absentes : vérifié sur pièces et sur le plan officiel (démonstration)."


def demo_commune(code: str) -> Commune:
    """The imported commune, or (reference list not imported) the same commune written from `places.COMMUNES`."""
    commune = Commune.objects.filter(code=code).first()
    if commune is None:
        name, dep, region, lat, lon = COMMUNES[code]
        commune = Commune.objects.create(code=code, name=name, departement_code=dep, region_code=region,
                                         latitude=lat, longitude=lon, search_name=name.lower())
    return commune


def build_at(place: DemoPlace, *, wave, owner: User, rng: random.Random, deposit: bool = True):
    """A complete dossier (deposited unless told otherwise) for a demo place, through the domain functions."""
    return build_dossier(
        wave=wave, track=wave.call.tracks.get(slug=place.track), owner=owner, commune=demo_commune(place.commune),
        rng=rng, place_name=place.name, latitude=place.latitude, longitude=place.longitude, deposit=deposit,
    ).dossier


def _failed_rule(dossier) -> str:
    failed = [r for r in (dossier.eligibility_report or {}).get("results", []) if r.get("status") == "fail"]
    return " ".join(f"{r['label']} : règle non respectée. {r['reason']}" for r in failed)


def instruct(dossier, *, place: DemoPlace, by: User) -> bool:
    """Instruct one demo dossier by the rules; True when it is declared admissible.

    Open lines (data missing) are confirmed with a reason; a failed line is overridden only when the place says
    so, with its reason; otherwise the dossier is inadmissible with the failed rule as its reason.
    """
    instruction_start(dossier=dossier, by=by)
    for check in dossier.instruction.checks.exclude(status__in=[CheckStatus.OK, CheckStatus.MANUAL]):
        if check.status == CheckStatus.PENDING:
            check_confirm(dossier=dossier, item=check.item, by=by, reason=CHECKED_BY_HAND)
        elif check.item == CheckItem.LOCATION and place.override:
            check_confirm(dossier=dossier, item=check.item, by=by, reason=place.override,
                                             override=True)
        else:
            reason = _failed_rule(dossier) or f"{check.get_item_display()} : {check.detail}"
            admissibility_decide(dossier=dossier, decision="inadmissible", reason=reason, by=by)
            return False
    computed = dossier.instruction.is_qpv
    territory_class_set(
        dossier=dossier, by=by, is_rural=place.rural,
        is_qpv=computed if computed is not None else place.in_or_near_qpv,
    )
    admissibility_decide(dossier=dossier, decision="admissible", reason="", by=by)
    return True


def scores_submit(assignments, *, quality: dict, severity: dict, rng: random.Random) -> None:
    """Every active assignment's evaluator submits a grid following the dossier's hidden quality."""
    for assignment in assignments:
        base = quality[assignment.dossier_id] + severity[assignment.evaluator_id]
        scores = {}
        for criterion in assignment.dossier.track.criteria.all():
            value = min(5.0, max(0.0, base + rng.gauss(0, 0.6)))
            value = Decimal(round(value * 2) / 2).quantize(Decimal("0.5"))
            comment = (
                "" if value >= (criterion.threshold or 0) else "Partie à renforcer : trop peu d’éléments concrets."
            )
            if value < 3 and not comment:
                comment = "Réponse encore générale : des exemples et des chiffres la rendraient convaincante."
            scores[criterion.pk] = ScoreInput(value=value, comment=comment)
        opinion = "favourable" if base > 3.2 else ("reserved" if base > 2.2 else "unfavourable")
        evaluation_submit(
            evaluation=assignment.evaluation,
            scores=scores,
            opinion=opinion,
            summary="Évaluation de démonstration.",
            by=assignment.evaluator,
        )


def demo_closed_wave(
    *,
    call,
    password: str,
    admin: User,
    instructor: User,
    evaluator: User,
    count: int | None = None,
    evaluators: int = EVALUATORS,
) -> Wave:
    """Build the closed demo wave once (all its places, or `count` admissible ones); later runs return at once."""
    with override_settings(FABRIQUES_DEPOSIT_PROOF_EMAIL=False):
        return _closed_wave(
            call=call,
            password=password,
            admin=admin,
            instructor=instructor,
            evaluator=evaluator,
            count=count,
            n_evaluators=evaluators,
        )


def _closed_wave(
    *, call, password: str, admin: User, instructor: User, evaluator: User, count: int | None, n_evaluators: int
) -> Wave:
    wave = Wave.objects.filter(call=call, slug="vague-demo-close").first()
    if wave is not None and wave.dossiers.exists():
        return wave
    now = timezone.now()
    wave = wave or Wave.objects.create(
        call=call,
        slug="vague-demo-close",
        title="Vague de démonstration (close, en comité)",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=1),
        envelope_eur=4500000,
        max_laureates=30,
        is_demo=True,
    )
    rng = random.Random(2019)
    places = closed_wave_places(count)
    built = []
    for i, place in enumerate(places, start=1):
        owner = demo_user(f"porteur{i:02d}@demo.fabriques.fr", password, call=call)
        built.append((build_at(place, wave=wave, owner=owner, rng=rng), place))
    wave.opens_at, wave.closes_at = now - dt.timedelta(days=120), now - dt.timedelta(days=60)
    wave.save(update_fields=["opens_at", "closes_at"])

    national_group(call=call).members.add(instructor)
    quality = {}
    for dossier, place in built:
        if instruct(dossier, place=place, by=instructor):
            quality[dossier.pk] = rng.uniform(1.5, 4.5)

    evaluators = [evaluator] + [
        demo_user(f"evaluateur{i}@demo.fabriques.fr", password, call=call, role=Role.EVALUATOR)
        for i in range(2, n_evaluators + 1)
    ]
    severity = {e.pk: rng.uniform(-0.8, 0.8) for e in evaluators}
    assignments_auto(wave=wave, by=admin, per_dossier=3)
    # In primary-key order: the scores draw from one random generator, so the same demo on every database and
    # whatever plan the database picks (an index added on dossiers once changed the PostgreSQL demo's scores).
    for assignment in Assignment.objects.filter(dossier__wave=wave).select_related(
            "evaluator", "dossier__track").order_by("pk"):
        conflict_declare(assignment=assignment, has_conflict=False, by=assignment.evaluator)
    scores_submit(
        Assignment.objects.filter(dossier__wave=wave, state=AssignmentState.ACTIVE).select_related(
            "evaluator", "dossier__track", "evaluation"
        ).order_by("pk"),
        quality=quality, severity=severity, rng=rng,
    )
    wave_calibrate(wave=wave)
    if not wave.scenarios.exists():
        scenario = scenario_create(wave=wave, name="Scénario de référence", by=admin)
        scenario_solve(scenario=scenario, by=admin)
    assert wave.dossiers.filter(state=DossierState.EVALUATED).count() == len(quality)  # noqa: S101 - demo sanity
    return wave
