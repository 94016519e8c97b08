"""Committee fixtures: people per role and a closed wave of 8 evaluated dossiers.

Building the wave through the domain costs ≈ 1.5 s on SQLite and ≈ 5 s on PostgreSQL. Consecutive tests of this
folder that ask for `evaluated_wave` share one build (see `SharedRows` in tests/conftest.py): the rows are written
once in an outer transaction, each test runs in its own savepoint rolled back after it, and gets fresh instances
read back by primary key. The browser test (transactional) builds it itself, through the same domain path.
"""

import uuid

import pytest
from django.test.utils import override_settings

from fabriques.accounts.enums import Role
from fabriques.committee import domain
from fabriques.demo.committee_demo import demo_closed_wave
from fabriques.dossiers.models import Dossier
from fabriques.evaluation.models import DossierScore
from fabriques.instruction.models import Instruction
from tests.conftest import call_2019_load, user_create

PEOPLE = {
    "admin": ("admin.prog@exemple.fr", Role.ADMIN),
    "instructor": ("instructeur@exemple.fr", Role.INSTRUCTOR),
    "evaluator": ("evaluateur1@exemple.fr", Role.EVALUATOR),
    "committee": ("comite@exemple.fr", Role.COMMITTEE),
}


def _people_create(call, make_user) -> dict:
    return {key: make_user(email, call=call, role=role) for key, (email, role) in PEOPLE.items()}


def _wave_build(call, people):
    return demo_closed_wave(call=call, password="motdepasse-solide-42", admin=people["admin"],
                            instructor=people["instructor"], evaluator=people["evaluator"], count=8, evaluators=4)


def committee_rows_build() -> dict:
    """The shared rows: what `call`, `people` and `evaluated_wave` write, under the tests' settings; their keys."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                           FABRIQUES_REQUIRE_AGENT_MFA=False):
        call = call_2019_load()
        people = _people_create(call, user_create)
        wave = _wave_build(call, people)
    return {"people": {key: user.pk for key, user in people.items()}, "wave": wave.pk}


@pytest.fixture
def people(call, make_user, request, shared_rows):
    if shared_rows.serves(request.node, "committee"):
        from fabriques.accounts.models import User

        users = User.objects.in_bulk(shared_rows.value["people"].values())
        return {key: users[pk] for key, pk in shared_rows.value["people"].items()}
    return _people_create(call, make_user)


@pytest.fixture
def evaluated_wave(call, people, request, shared_rows):
    """A closed wave with 8 evaluated dossiers (4 evaluators, 3 per dossier), built through the domain."""
    if shared_rows.serves(request.node, "committee"):
        from fabriques.calls.models import Wave

        return Wave.objects.get(pk=shared_rows.value["wave"], call=call)
    return _wave_build(call, people)


@pytest.fixture
def solved_scenario(evaluated_wave, people):
    """A solved scenario with a pin and an adjusted amount: every control of the ranking has something to show."""
    scenario = domain.scenario_create(wave=evaluated_wave, name="Séance", by=people["committee"])
    targets = [{**t, "value": 0 if t["kind"] != "max_laureates" else t["value"]} for t in scenario.targets]
    domain.scenario_settings(scenario=scenario, envelope_eur=300_000, targets=targets, use_calibrated=True,
                             by=people["admin"])
    first, second = evaluated_wave.dossiers.order_by("pk")[:2]
    domain.scenario_pin(scenario=scenario, dossier=first, kind="force_out", reason="Déjà soutenu",
                        by=people["committee"])
    domain.scenario_amount(scenario=scenario, dossier=second, amount_eur=60_000, reason="", by=people["committee"])
    domain.scenario_solve(scenario=scenario, by=people["committee"])
    scenario.refresh_from_db()
    return scenario


def more_candidates(wave, count: int) -> list[Dossier]:
    """`count` candidates more, copied in bulk from the wave's first one (dossier, instruction, score), each with
    its own score so the ranking interleaves them with the built ones."""
    model = Dossier.objects.filter(wave=wave).order_by("pk").first()
    made = Dossier.objects.bulk_create(
        [_copy(model, uuid=uuid.uuid4(), reference=f"ZZ-{i:05d}") for i in range(count)])
    instruction = Instruction.objects.get(dossier=model)
    score = DossierScore.objects.get(dossier=model)
    Instruction.objects.bulk_create([_copy(instruction, dossier_id=d.pk) for d in made])
    DossierScore.objects.bulk_create([
        _copy(score, dossier_id=d.pk, weighted=1 + (i % 37) / 10, calibrated=1 + (i % 41) / 10,
              band_low=(i % 41) / 10, band_high=2 + (i % 41) / 10)
        for i, d in enumerate(made)
    ])
    return made


def _copy(instance, **changes):
    """A new row with `instance`'s values, `changes` given by column name (dossier_id=…)."""
    fields = instance._meta.concrete_fields
    values = {f.attname: getattr(instance, f.attname) for f in fields if not f.primary_key}
    return type(instance)(**{**values, **changes})
