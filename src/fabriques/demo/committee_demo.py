"""A closed demo wave with about 60 deposited, admissible and evaluated dossiers, for the committee.

Everything goes through the domain functions: deposits, routing, admissibility, automatic
assignment, conflict declarations and score submissions. Scores follow a hidden quality per
dossier, a severity per evaluator and some noise, so the calibration has something to find.
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
from fabriques.demo.domain import demo_user
from fabriques.dossiers.enums import DossierState
from fabriques.evaluation import domain as evaluation_domain
from fabriques.evaluation.enums import AssignmentState
from fabriques.evaluation.models import Assignment
from fabriques.instruction import domain as instruction_domain
from fabriques.instruction.enums import CheckStatus
from fabriques.territory.models import Commune

# Real communes (INSEE code, name, département, région, latitude, longitude) used when the
# official commune list has not been imported: a spread of cities and small towns.
FALLBACK_COMMUNES = [
    ("31555", "Toulouse", "31", "76", 43.6045, 1.4440),
    ("34172", "Montpellier", "34", "76", 43.6108, 3.8767),
    ("46042", "Cahors", "46", "76", 44.4475, 1.4419),
    ("69123", "Lyon", "69", "84", 45.7578, 4.8320),
    ("63113", "Clermont-Ferrand", "63", "84", 45.7772, 3.0870),
    ("15014", "Aurillac", "15", "84", 44.9264, 2.4397),
    ("13055", "Marseille", "13", "93", 43.2965, 5.3698),
    ("05061", "Gap", "05", "93", 44.5594, 6.0786),
    ("59350", "Lille", "59", "32", 50.6292, 3.0573),
    ("80021", "Amiens", "80", "32", 49.8941, 2.2958),
    ("35238", "Rennes", "35", "53", 48.1173, -1.6778),
    ("29019", "Brest", "29", "53", 48.3904, -4.4861),
    ("44109", "Nantes", "44", "52", 47.2184, -1.5536),
    ("53130", "Laval", "53", "52", 48.0707, -0.7734),
    ("33063", "Bordeaux", "33", "75", 44.8378, -0.5792),
    ("23096", "Guéret", "23", "75", 46.1716, 1.8717),
    ("67482", "Strasbourg", "67", "44", 48.5734, 7.7521),
    ("88160", "Épinal", "88", "44", 48.1724, 6.4497),
    ("21231", "Dijon", "21", "27", 47.3220, 5.0415),
    ("58194", "Nevers", "58", "27", 46.9896, 3.1590),
    ("45234", "Orléans", "45", "24", 47.9030, 1.9093),
    ("36044", "Châteauroux", "36", "24", 46.8103, 1.6913),
    ("76540", "Rouen", "76", "28", 49.4432, 1.0999),
    ("50502", "Saint-Lô", "50", "28", 49.1157, -1.0906),
    ("75056", "Paris", "75", "11", 48.8566, 2.3522),
    ("93066", "Saint-Denis", "93", "11", 48.9362, 2.3574),
    ("2A004", "Ajaccio", "2A", "94", 41.9192, 8.7386),
]
EVALUATORS = 8
DOSSIERS = 60


def _communes() -> list[Commune]:
    out = []
    for code, name, dep, region, lat, lon in FALLBACK_COMMUNES:
        commune = Commune.objects.filter(code=code).first() or Commune.objects.create(
            code=code,
            name=name,
            departement_code=dep,
            region_code=region,
            latitude=lat,
            longitude=lon,
            search_name=name.lower(),
        )
        out.append(commune)
    return out


def demo_closed_wave(
    *,
    call,
    password: str,
    admin: User,
    instructor: User,
    evaluator: User,
    count: int = DOSSIERS,
    evaluators: int = EVALUATORS,
) -> Wave:
    """Build the closed demo wave once; later runs find it and return at once."""
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
    *, call, password: str, admin: User, instructor: User, evaluator: User, count: int, n_evaluators: int
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
    communes = _communes()
    tracks = list(call.tracks.order_by("position"))
    owners = [demo_user(f"porteur{i:02d}@demo.fabriques.fr", password, call=call) for i in range(1, count + 1)]
    quality = {}
    for i, owner in enumerate(owners):
        commune = communes[i % len(communes)]
        built = build_dossier(
            wave=wave,
            track=tracks[0] if i % 4 == 0 else tracks[-1],
            owner=owner,
            commune=commune,
            rng=rng,
            place_name=f"La Fabrique {commune.name} {i + 1}",
            latitude=commune.latitude + rng.uniform(-0.01, 0.01),
            longitude=commune.longitude + rng.uniform(-0.01, 0.01),
        )
        quality[built.dossier.pk] = rng.uniform(1.5, 4.5)
    wave.opens_at, wave.closes_at = now - dt.timedelta(days=120), now - dt.timedelta(days=60)
    wave.save(update_fields=["opens_at", "closes_at"])

    instruction_domain.national_group(call=call).members.add(instructor)
    for dossier in wave.dossiers.select_related("wave__call", "organisation", "track", "place_commune"):
        instruction_domain.instruction_start(dossier=dossier, by=instructor)
        for check in dossier.instruction.checks.exclude(status__in=[CheckStatus.OK, CheckStatus.MANUAL]):
            instruction_domain.check_confirm(
                dossier=dossier, item=check.item, by=instructor, reason="Vérifié sur pièces (démonstration)."
            )
        instruction_domain.territory_class_set(
            dossier=dossier,
            by=instructor,
            is_rural=rng.random() < 0.5,
            is_qpv=dossier.instruction.is_qpv if dossier.instruction.is_qpv is not None else rng.random() < 0.4,
        )
        instruction_domain.admissibility_decide(dossier=dossier, decision="admissible", reason="", by=instructor)

    evaluators = [evaluator] + [
        demo_user(f"evaluateur{i}@demo.fabriques.fr", password, call=call, role=Role.EVALUATOR)
        for i in range(2, n_evaluators + 1)
    ]
    severity = {e.pk: rng.uniform(-0.8, 0.8) for e in evaluators}
    evaluation_domain.assignments_auto(wave=wave, by=admin, per_dossier=3)
    for assignment in Assignment.objects.filter(dossier__wave=wave).select_related("evaluator", "dossier__track"):
        evaluation_domain.conflict_declare(assignment=assignment, has_conflict=False, by=assignment.evaluator)
    for assignment in Assignment.objects.filter(dossier__wave=wave, state=AssignmentState.ACTIVE).select_related(
        "evaluator", "dossier__track", "evaluation"
    ):
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
            scores[criterion.pk] = evaluation_domain.ScoreInput(value=value, comment=comment)
        opinion = "favourable" if base > 3.2 else ("reserved" if base > 2.2 else "unfavourable")
        evaluation_domain.evaluation_submit(
            evaluation=assignment.evaluation,
            scores=scores,
            opinion=opinion,
            summary="Évaluation de démonstration.",
            by=assignment.evaluator,
        )
    wave_calibrate(wave=wave)
    if not wave.scenarios.exists():
        scenario = scenario_create(wave=wave, name="Scénario de référence", by=admin)
        scenario_solve(scenario=scenario, by=admin)
    assert wave.dossiers.filter(state=DossierState.EVALUATED).count() == count  # noqa: S101 - demo sanity
    return wave
