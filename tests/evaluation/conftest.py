"""Evaluation fixtures: admissible dossiers with answers, evaluators, instructors, applicants."""

import itertools
from decimal import Decimal

import pytest

from fabriques.accounts.enums import Role

_counter = itertools.count(1)
# Valid SIRETs (Luhn key) used in turn by the dossiers of the tests.
SIRETS = ["73282932000074", "55208131766522", "44306184100047"]


@pytest.fixture
def commune(db):
    from fabriques.territory.models import Commune

    return Commune.objects.create(code="13055", name="Marseille", departement_code="13", region_code="93",
                                  latitude=43.2965, longitude=5.3698, search_name="marseille")


@pytest.fixture
def applicant(make_user):
    return make_user("porteur@example.org")


@pytest.fixture
def make_dossier(open_wave, commune, applicant):
    """An admissible dossier of the open wave, answered on every criterion of its track."""
    from fabriques.dossiers.domain import dossier_create, organisation_save
    from fabriques.dossiers.enums import DossierState
    from fabriques.dossiers.models import Answer
    from fabriques.dossiers.workflow import dossier_transition

    def make(*, track="territoire", owner=None, commune=commune, state=DossierState.ADMISSIBLE):
        owner = owner or applicant
        n = next(_counter)
        organisation = organisation_save(
            by=owner, name=f"Association La Fabrique {n}", legal_form="association",
            siret=SIRETS[n % len(SIRETS)], address="1 rue de la Paix", commune=commune,
        )
        dossier = dossier_create(wave=open_wave, track=open_wave.call.tracks.get(slug=track),
                                 organisation=organisation, by=owner)
        dossier.place_name, dossier.place_commune = f"La Fabrique du quartier {n}", commune
        dossier.save(update_fields=["place_name", "place_commune"])
        Answer.objects.bulk_create(
            Answer(dossier=dossier, criterion=c, text=f"Notre réponse sur « {c.title} ».", updated_by=owner)
            for c in dossier.track.criteria.all()
        )
        path = [DossierState.DEPOSITED, DossierState.IN_INSTRUCTION, DossierState.ADMISSIBLE,
                DossierState.IN_EVALUATION]
        for to in path[: path.index(state) + 1]:
            dossier_transition(dossier, to, by=owner if to == DossierState.DEPOSITED else None)
        return dossier

    return make


@pytest.fixture
def dossier(make_dossier):
    return make_dossier()


@pytest.fixture
def instructor(make_user, call):
    """An instructor of the national group, which receives every dossier here (no routing rule)."""
    from fabriques.instruction.routing import national_group

    user = make_user("instructrice@example.org", call=call, role=Role.INSTRUCTOR)
    national_group(call=call).members.add(user)
    return user


@pytest.fixture
def committee_member(make_user, call):
    return make_user("comite@example.org", call=call, role=Role.COMMITTEE)


@pytest.fixture
def evaluators(make_user, call):
    return [make_user(f"evaluateur{i}@example.org", call=call, role=Role.EVALUATOR) for i in range(1, 4)]


def full_scores(dossier, value="3.5", comment=""):
    """A complete grid: the same value on every criterion of the dossier's track."""
    from fabriques.evaluation.scoring import ScoreInput

    return {c.pk: ScoreInput(value=Decimal(value), comment=comment) for c in dossier.track.criteria.all()}
