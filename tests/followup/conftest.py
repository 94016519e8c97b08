"""Follow-up fixtures: a laureate (decision applied through the dossier transition), its agreement, people."""

import datetime as dt

import pytest
from django.utils import timezone

from fabriques.accounts.enums import Role
from fabriques.committee.enums import Outcome
from fabriques.committee.models import Decision
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.workflow import dossier_transition
from fabriques.followup import domain
from fabriques.followup.enums import AgreementState
from tests.dossiers.conftest import (  # noqa: F401 - fixtures re-exported
    applicant,
    commune,
    complete_dossier,
    deposited_dossier,
    dossier,
    media_root,
    organisation,
    track,
)
from tests.dossiers.factories import small_pdf  # re-exported for the tests

PATH = (DossierState.IN_INSTRUCTION, DossierState.ADMISSIBLE, DossierState.IN_EVALUATION, DossierState.EVALUATED,
        DossierState.LAUREATE)


def laureate_make(dossier, *, amount: int, by):  # noqa: F811 - a parameter, not the fixture
    """Move a deposited dossier to laureate and record its applied decision (what `decisions_apply` leaves)."""
    for to in PATH:
        dossier_transition(dossier, to, by=by)
    now = timezone.now()
    Decision.objects.create(dossier=dossier, outcome=Outcome.LAUREATE, amount_eur=amount, reasons="Projet solide.",
                            staged_by=by, staged_at=now, applied_at=now, applied_by=by)
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def agents(make_user, call):
    return {
        "admin": make_user("admin.suivi@example.org", call=call, role=Role.ADMIN),
        "instructor": make_user("instructeur.suivi@example.org", call=call, role=Role.INSTRUCTOR),
        "committee": make_user("comite.suivi@example.org", call=call, role=Role.COMMITTEE),
        "evaluator": make_user("evaluateur.suivi@example.org", call=call, role=Role.EVALUATOR),
    }


@pytest.fixture
def laureate(deposited_dossier, agents):  # noqa: F811 - imported fixture
    return laureate_make(deposited_dossier, amount=150000, by=agents["admin"])


@pytest.fixture
def agreement(laureate, agents):
    return domain.agreement_create(dossier=laureate, by=agents["admin"])


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.fixture
def agreement_in_force(agreement, agents, applicant):  # noqa: F811 - imported fixture
    """Sent, signed copy uploaded by the laureate, in force from a year and a month ago (report 1 due soon)."""
    domain.agreement_transition(agreement, AgreementState.SENT, by=agents["admin"])
    domain.agreement_signed_copy_upload(agreement=agreement, upload=upload("signee.pdf", small_pdf("signée")),
                                        by=applicant)
    domain.agreement_start(agreement=agreement, starts_on=timezone.localdate() - dt.timedelta(days=395),
                           by=agents["admin"])
    agreement.refresh_from_db()
    return agreement
