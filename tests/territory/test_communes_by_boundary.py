"""The commune of a point by its boundary, points outside France refused, commune points checked at import.

Expected values come from tests/data/territory_reference_places.csv, computed independently of the code under
test (see tests/data/territory_reference_places.py: plain shapely `contains` on the source polygons, geodesic
distances in a per-place azimuthal equidistant projection).
"""

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fabriques.territory.eligibility import eligibility_report
from fabriques.territory.locate import communes_at_bulk, locate
from fabriques.territory.models import Commune
from tests.territory.conftest import TEST_DATA

pytestmark = pytest.mark.django_db

with (TEST_DATA / "territory_reference_places.csv").open(encoding="utf-8") as _handle:
    PLACES = list(csv.DictReader(_handle))


def test_reference_places_get_their_commune_and_distance(territory_loaded, boundaries_loaded):
    """32 public places near commune borders and overseas: commune by boundary, QPV distance within 0.5 % or 2 m."""
    wrong_by_centre = [p for p in PLACES if p["commune_attendue"] != p["commune_centre_proche"]]
    assert len(wrong_by_centre) >= 10  # what the nearest-centre method used to answer
    for place in PLACES:
        location = locate(latitude=float(place["latitude"]), longitude=float(place["longitude"]))
        assert location.refused is None, place
        assert location.commune_method == "boundary", place
        assert location.commune["code"] == place["commune_attendue"], place
        expected = float(place["distance_qpv2024_m"])
        assert location.qpv.code == place["qpv2024_attendu"], place
        assert abs(location.qpv.distance_m - expected) <= max(0.005 * expected, 2), (place, location.qpv.distance_m)


def test_bulk_communes_match_single_ones(territory_loaded, boundaries_loaded):
    lats = [float(p["latitude"]) for p in PLACES]
    lons = [float(p["longitude"]) for p in PLACES]
    bulk = communes_at_bulk(lons, lats)
    assert list(bulk.codes) == [p["commune_attendue"] for p in PLACES]
    assert set(bulk.methods) == {"boundary"}


def test_outside_france_is_refused_with_a_french_message(territory_loaded, boundaries_loaded, numerique):
    gulf_of_guinea = locate(latitude=0, longitude=0)
    assert gulf_of_guinea.refused.startswith("Le point indiqué (latitude 0.00000, longitude 0.00000) est hors de")
    assert gulf_of_guinea.commune is None
    assert gulf_of_guinea.qpv.code is None
    barcelona = locate(latitude=41.3874, longitude=2.1686)  # inside the mainland's box, in no French commune
    assert "n’est dans aucune commune française" in barcelona.refused
    bay_of_biscay = locate(latitude=46.0, longitude=-3.0)
    assert bay_of_biscay.refused
    assert bay_of_biscay.qpv.distance_m is None
    report = eligibility_report(track=numerique, latitude=0, longitude=0)
    assert report.status == "fail"
    assert all("hors de France" in r.reason for r in report.results if r.kind != "legal_form")
    out = StringIO()
    call_command("locate", "--lat", "0", "--lon", "0", stdout=out)
    assert "hors de France" in json.loads(out.getvalue())["refused"]


def test_without_boundaries_the_box_still_refuses_and_the_nearest_point_is_marked(territory_loaded):
    assert "hors de France" in locate(latitude=0, longitude=0).refused
    nasbinals = locate(latitude=44.6444, longitude=3.0489)
    assert nasbinals.commune_method == "nearest-point"
    assert "Commune déduite du point de commune le plus proche" in " ".join(nasbinals.notes)


def test_commune_points_outside_their_boundary_are_reported_and_repaired(communes_loaded, boundaries_loaded):
    cayenne = Commune.objects.get(code="97302")
    notes = [n for n in boundaries_loaded.notes if n.startswith("commune 97302 Cayenne réparée")]
    assert len(notes) == 1
    assert "hors de son contour" in notes[0]
    location = locate(commune_code="97302")
    assert location.approximate
    assert location.latitude == pytest.approx(cayenne.latitude)
    found = communes_at_bulk([cayenne.longitude], [cayenne.latitude])
    assert list(found.codes) == ["97302"]
    assert boundaries_loaded.repaired >= 100  # concave communes whose centroid fell outside


def test_a_merged_commune_and_a_point_in_another_commune_are_noted(territory_loaded, boundaries_loaded):
    merged = locate(commune_code="69152")  # Pierre-Bénite, merged into 69149 since the 2022 points file
    assert any("a rejoint depuis la commune 69149" in n for n in merged.notes)
    lille = next(p for p in PLACES if p["commune_attendue"] == "59350")
    elsewhere = locate(latitude=float(lille["latitude"]), longitude=float(lille["longitude"]), commune_code="59368")
    assert any("est dans la commune Lille (59350)" in n for n in elsewhere.notes)


def test_cli_refuses_nothing_it_cannot_read(db):
    with pytest.raises(CommandError, match="--lat doit être entre"):
        call_command("locate", "--lat", "91", "--lon", "0", stdout=StringIO())
