"""Reusable fixtures for dossiers: an applicant with an organisation, a draft, a complete and a deposited dossier.

Other apps (instruction, evaluation…) may use these fixtures by adding to their conftest.py:
    from tests.dossiers.conftest import *  # noqa: F403 - re-export the dossier fixtures
and the helpers of `tests/dossiers/factories.py`:
    dossier_fill(dossier=..., by=...)   every section filled so the dossier is complete
    small_pdf(text)                     the bytes of a tiny valid PDF
"""

import pytest

from fabriques.dossiers import domain
from fabriques.dossiers.deposit import deposit_key_issue, dossier_deposit
from tests.dossiers.factories import VALID_SIRET, dossier_fill, make_commune


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def commune(db):
    return make_commune()


@pytest.fixture
def applicant(make_user):
    return make_user("porteuse@example.org")


@pytest.fixture
def organisation(applicant, commune, call):
    return domain.organisation_save(by=applicant, name="Association Les Pentes", legal_form="association",
                                    siret=VALID_SIRET, address="1 place Sathonay", commune=commune)


@pytest.fixture
def track(call):
    return call.tracks.get(slug="numerique")


@pytest.fixture
def dossier(open_wave, track, organisation, applicant):
    return domain.dossier_create(wave=open_wave, track=track, organisation=organisation, by=applicant)


@pytest.fixture
def complete_dossier(dossier, applicant, media_root):
    return dossier_fill(dossier=dossier, by=applicant)


@pytest.fixture
def deposited_dossier(complete_dossier, applicant):
    """A complete dossier deposited once (state `deposited`, one DossierVersion)."""
    dossier_deposit(dossier=complete_dossier, by=applicant, submission_key=deposit_key_issue(dossier=complete_dossier))
    complete_dossier.refresh_from_db()
    return complete_dossier
