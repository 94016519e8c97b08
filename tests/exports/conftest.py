"""A small world for data-out tests: three deposited dossiers in two régions, one laureate with scores.

Built through the real domain functions (deposit, routing, evaluation); the committee's decision is
written as the committee app stores it (a Decision row with applied_at) before the workflow transition.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from fabriques.accounts.enums import Role
from tests.instruction.conftest import build, close_wave, communes, occitanie  # noqa: F401 - fixtures


@pytest.fixture
def world(call, open_wave, admin_user, occitanie, communes, build, make_user):  # noqa: F811 - fixtures
    from fabriques.committee.enums import Outcome
    from fabriques.committee.models import Decision
    from fabriques.dossiers.enums import DossierState as S
    from fabriques.dossiers.workflow import dossier_transition
    from fabriques.evaluation.assignments import assignment_create, conflict_declare
    from fabriques.evaluation.enums import Opinion
    from fabriques.evaluation.models import Evaluation
    from fabriques.evaluation.scoring import evaluation_submit
    from tests.evaluation.conftest import full_scores

    committee = make_user("comite@exemple.fr", call=call, role=Role.COMMITTEE)
    evaluator = make_user("evaluatrice@exemple.fr", call=call, role=Role.EVALUATOR)
    laureate = build(communes["toulouse"], "territoire")
    other_occ = build(communes["montpellier"], "numerique")
    lyon = build(communes["lyon"], "territoire")
    for to in (S.IN_INSTRUCTION, S.ADMISSIBLE):
        dossier_transition(laureate, to, by=admin_user)
    assignment = assignment_create(dossier=laureate, evaluator=evaluator, by=admin_user)
    conflict_declare(assignment=assignment, has_conflict=False, by=evaluator)
    evaluation_submit(
        evaluation=Evaluation.objects.get(assignment=assignment), scores=full_scores(laureate, "3.5", "Solide."),
        opinion=Opinion.FAVOURABLE, summary="Projet solide.", by=evaluator,
    )
    now = timezone.now()
    Decision.objects.create(
        dossier=laureate, outcome=Outcome.LAUREATE, amount_eur=50_000, reasons="Projet solide.",
        staged_by=admin_user, staged_at=now - dt.timedelta(hours=1), applied_at=now, applied_by=admin_user,
    )
    laureate.refresh_from_db()
    dossier_transition(laureate, S.LAUREATE, by=admin_user)
    applicant = laureate.owner
    return SimpleNamespace(
        call=call, wave=open_wave, admin=admin_user, committee=committee, evaluator=evaluator,
        instructor=occitanie["instructor"], other_instructor=occitanie["other_instructor"],
        applicant=applicant, other_applicant=lyon.owner,
        laureate=laureate, other_occ=other_occ, lyon=lyon, communes=communes,
    )


@pytest.fixture
def other_call(db):
    from fabriques.calls.models import Call

    return Call.objects.create(slug="autre-appel", title="Autre appel", short_title="Autre", programme="P",
                               organiser="O", summary="", source_name="test", source_sha256="0" * 64, source_text="")


@pytest.fixture
def make_token():
    from fabriques.apitokens.domain import token_create

    def make(user, *, calls, can_write=False, days=30):
        _, raw = token_create(owner=user, name="test", calls=calls, can_write=can_write,
                              expires_at=timezone.now() + dt.timedelta(days=days))
        return raw

    return make
