"""Fixtures for the personal-data tests: a commune and the applicants' dossiers built through the domain."""

import random

import pytest

from fabriques.demo.builders import build_dossier
from fabriques.territory.models import Commune


@pytest.fixture
def commune(db):
    return Commune.objects.create(code="31555", name="Toulouse", departement_code="31", region_code="76",
                                  latitude=43.6, longitude=1.44, search_name="toulouse")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def territory_dossier(wave, owner, commune, deposit=True):
    """A complete dossier of the "Fabrique de territoire" track, deposited unless told otherwise."""
    track = wave.call.tracks.get(slug="territoire")
    return build_dossier(wave=wave, track=track, owner=owner, commune=commune, rng=random.Random(1),
                         place_name="Le Hangar", deposit=deposit).dossier
