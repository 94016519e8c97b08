"""Fixtures of the territory app: the real sample files of ../shared/data, imported per test.

Other apps: use `territory_loaded` from tests/conftest.py (everything), or these finer ones.
"""

import pytest

from tests.conftest import SHARED_DATA

COMMUNES_CSV = SHARED_DATA / "communes" / "communes_2022_centroids.csv"
QPV_2024 = SHARED_DATA / "qpv" / "qpv2024_anct_simplified.geojson"
QPV_2024_VALID = SHARED_DATA / "qpv" / "qpv2024_anct_simplified_valid.geojson"
QPV_2015_OCCITANIE = SHARED_DATA / "qpv" / "qpv2015_occitanie_hackaviz2021.geojson"
TIERS_LIEUX_CSV = SHARED_DATA / "tiers_lieux" / "cget_tiers_lieux_2019.csv"


@pytest.fixture
def communes_loaded(db):
    from fabriques.territory.domain import communes_import

    return communes_import(path=COMMUNES_CSV)
