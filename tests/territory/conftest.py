"""Fixtures of the territory app: the real sample files of ../shared/data, imported per test.

Other apps: use `territory_loaded` from tests/conftest.py (everything), or these finer ones.
"""

import pytest

from tests.conftest import SHARED_DATA

COMMUNES_CSV = SHARED_DATA / "communes" / "communes_2022_centroids.csv"
QPV_2024 = SHARED_DATA / "qpv" / "qpv2024_anct_simplified.geojson"
QPV_2015_OCCITANIE = SHARED_DATA / "qpv" / "qpv2015_occitanie_hackaviz2021.geojson"
TIERS_LIEUX_CSV = SHARED_DATA / "tiers_lieux" / "cget_tiers_lieux_2019.csv"


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
