"""Fixtures of the territory app: the reference files shipped with the project, imported per test.

Other apps: use `territory_loaded` from tests/conftest.py (everything), or these finer ones.
"""

import pytest

from tests.conftest import COMMUNES_CSV, QPV_2015_OCCITANIE, QPV_2024, REFERENCE, TEST_DATA, TIERS_LIEUX_CSV

__all__ = ["COMMUNES_CSV", "QPV_2015_OCCITANIE", "QPV_2024", "REFERENCE", "TEST_DATA", "TIERS_LIEUX_CSV"]


@pytest.fixture
def communes_loaded(db, request, shared_rows):
    """The communes file imported (written once for consecutive tests that ask only for it: see SharedRows)."""
    from fabriques.territory.domain import communes_import

    if shared_rows.serves(request.node, "communes"):
        return shared_rows.value
    return communes_import(path=COMMUNES_CSV)


@pytest.fixture
def qpv2024_loaded(db):
    from fabriques.territory.domain import qpv_import

    return qpv_import(path=QPV_2024, vintage=2024)


@pytest.fixture
def qpv2015_loaded(db):
    from fabriques.territory.domain import qpv_import

    return qpv_import(path=QPV_2015_OCCITANIE, vintage=2015)


@pytest.fixture
def tiers_lieux_loaded(db):
    from fabriques.territory.domain import tiers_lieux_import

    return tiers_lieux_import(path=TIERS_LIEUX_CSV)


@pytest.fixture
def numerique(call):
    """The digital track of the 2019 call (rule: in a QPV or within 500 m), set to the 2024 QPV."""
    call.qpv_vintage = 2024
    call.save(update_fields=["qpv_vintage"])
    return call.tracks.get(slug="numerique")


@pytest.fixture
def territoire(call):
    """The other track (rule: network of tiers-lieux within the call's radius)."""
    return call.tracks.get(slug="territoire")


COMMUNE_BOUNDARIES = sorted((REFERENCE / "communes").glob("communes_cog2024_geom2018_gregoiredavid_*.geojson.gz"))


@pytest.fixture
def boundaries_loaded(db):
    """The commune boundaries (COG 2024) imported: ≈ 6 s of parsing the first time in a process, then ≈ 1–2 s of
    writes per test. Ask for it only where the commune of a point or « hors de France » matters."""
    from fabriques.territory.domain import commune_boundaries_import

    return commune_boundaries_import(paths=COMMUNE_BOUNDARIES)
