"""Deposited dossiers built through the real domain functions, in a wave that then closes."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from fabriques.accounts.enums import Role
from fabriques.demo.builders import build_dossier
from fabriques.instruction.routing import group_save
from fabriques.territory.models import Commune


@pytest.fixture
def communes(db):
    def make(code, name, dep, region, lat, lon):
        return Commune.objects.create(
            code=code, name=name, departement_code=dep, region_code=region, latitude=lat, longitude=lon,
            search_name=name.lower(),
        )

    return {
        "toulouse": make("31555", "Toulouse", "31", "76", 43.6045, 1.4440),
        "montpellier": make("34172", "Montpellier", "34", "76", 43.6108, 3.8767),
        "lyon": make("69123", "Lyon", "69", "84", 45.7578, 4.8320),
        "gueret": make("23096", "Guéret", "23", "75", 46.1716, 1.8717),
    }


@pytest.fixture
def build(open_wave, make_user):
    """build(commune, track_slug="territoire", owner_email=None) -> deposited Dossier."""
    counter = {"n": 0}

    def make(commune, track_slug="territoire", owner=None):
        counter["n"] += 1
        owner = owner or make_user(f"porteur{counter['n']}@exemple.fr")
        track = open_wave.call.tracks.get(slug=track_slug)
        built = build_dossier(
            wave=open_wave, track=track, owner=owner, commune=commune, rng=random.Random(counter["n"]),
            place_name=f"Tiers-lieu {counter['n']}",
        )
        return built.dossier

    return make


@pytest.fixture
def close_wave(open_wave):
    def close():
        open_wave.closes_at = timezone.now() - dt.timedelta(seconds=1)
        open_wave.save(update_fields=["closes_at"])

    return close


@pytest.fixture
def occitanie(call, make_user, admin_user):
    """An Occitanie group with one instructor; another group (Auvergne-Rhône-Alpes) with another."""
    occ = make_user("instructeur.occitanie@exemple.fr", call=call, role=Role.INSTRUCTOR)
    ara = make_user("instructeur.ara@exemple.fr", call=call, role=Role.INSTRUCTOR)
    group_occ = group_save(call=call, name="Occitanie", regions=["76"], departements=[], member_emails=[occ.email],
                           by=admin_user)
    group_ara = group_save(call=call, name="Auvergne-Rhône-Alpes", regions=["84"], departements=[],
                           member_emails=[ara.email], by=admin_user)
    return {"instructor": occ, "other_instructor": ara, "group": group_occ, "other_group": group_ara}
