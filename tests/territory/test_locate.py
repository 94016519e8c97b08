import gzip
import json
from io import StringIO

import numpy as np
import pytest
import shapely
from django.core.management import CommandError, call_command
from pyproj import Geod

from fabriques.territory.geometry import l93_to_lonlat
from fabriques.territory.index import qpv_index
from fabriques.territory.locate import locate, locate_points
from fabriques.territory.models import QpvCommune, TiersLieu

pytestmark = pytest.mark.django_db

# Inside "Monod - Baratin - Cacard" (Villeurbanne): the representative point given in qpv2024_index.csv.
VILLEURBANNE_IN_QPV = (45.76399, 4.90146)
# Nasbinals (Lozère, Aubrac): no QPV for tens of kilometres.
NASBINALS = (44.6444140961, 3.04893734063)


def point_outside(code: str, metres: float, vintage: int = 2024) -> tuple[float, float]:
    """(lat, lon) of a point `metres` due east (geodesic) of the east-most vertex of a QPV perimeter."""
    index = qpv_index(vintage)
    coords = shapely.get_coordinates(index.lonlat[list(index.codes).index(code)])
    lon, lat = coords[np.argmax(coords[:, 0])]
    lon2, lat2, _ = Geod(ellps="GRS80").fwd(lon, lat, 90, metres)
    return float(lat2), float(lon2)


def test_point_inside_a_known_qpv(territory_loaded):
    location = locate(latitude=VILLEURBANNE_IN_QPV[0], longitude=VILLEURBANNE_IN_QPV[1])
    assert location.qpv.inside is True
    assert (location.qpv.code, location.qpv.name) == ("QN06901M", "Monod - Baratin - Cacard")
    assert location.qpv.vintage == 2024
    assert location.qpv.distance_m == 0
    assert location.commune == {"code": "69266", "name": "Villeurbanne"}
    assert (location.departement, location.region, location.approximate) == ("69", "84", False)


def test_point_200_m_outside_a_qpv_is_measured_in_metres(territory_loaded):
    lat, lon = point_outside("QN06901M", 200)
    location = locate(latitude=lat, longitude=lon)
    assert location.qpv.inside is False
    assert location.qpv.code == "QN06901M"
    assert location.qpv.distance_m == pytest.approx(200, abs=1)


def test_point_far_from_any_qpv(territory_loaded):
    location = locate(latitude=NASBINALS[0], longitude=NASBINALS[1])
    assert location.commune == {"code": "48104", "name": "Nasbinals"}
    assert location.qpv.inside is False
    assert location.qpv.distance_m > 30000


def test_commune_without_qpv_has_no_qpv_rows_and_is_far(territory_loaded):
    assert not QpvCommune.objects.filter(commune_code="48104").exists()
    location = locate(commune_code="48104")
    assert location.approximate is True
    assert location.source == "commune"
    assert location.qpv.distance_m > 30000


def test_multi_commune_qpv_lists_its_communes(territory_loaded):
    index = qpv_index(2024)
    geometry = index.l93[list(index.codes).index("QN00301M")]
    point = shapely.point_on_surface(geometry)
    lon, lat = l93_to_lonlat(point.x, point.y)
    location = locate(latitude=float(lat), longitude=float(lon))
    assert location.qpv.code == "QN00301M"
    assert location.qpv.communes == ["03095", "03310"]


def test_collapsed_qpv_is_found_with_its_status(territory_loaded):
    index = qpv_index(2024)
    point = index.lonlat[list(index.codes).index("QN09105I")]
    location = locate(latitude=point.y + 0.001, longitude=point.x)
    assert location.qpv.code == "QN09105I"
    assert location.qpv.geometry_status == "collapsed"
    assert location.qpv.distance_m == pytest.approx(111, abs=2)
    assert "Le périmètre du QPV QN09105I est réduit à un point : distance indicative." in location.notes


def test_both_vintages_give_their_own_codes(territory_loaded):
    perpignan = (42.7107, 2.8797)  # Bas-Vernet
    in_2015 = locate(latitude=perpignan[0], longitude=perpignan[1], qpv_vintage=2015)
    in_2024 = locate(latitude=perpignan[0], longitude=perpignan[1], qpv_vintage=2024)
    assert in_2015.qpv.code.startswith("QP066")
    assert in_2024.qpv.code.startswith("QN066")
    assert (in_2015.qpv.vintage, in_2024.qpv.vintage) == (2015, 2024)


def test_a_regional_2015_file_does_not_claim_anything_elsewhere(territory_loaded):
    location = locate(latitude=VILLEURBANNE_IN_QPV[0], longitude=VILLEURBANNE_IN_QPV[1], qpv_vintage=2015)
    assert location.qpv.loaded is True
    assert location.qpv.covered is False
    assert location.qpv.code is None
    assert location.qpv.distance_m is None


def test_missing_datasets_are_listed(db):
    location = locate(latitude=45.0, longitude=5.0)
    assert location.missing == ["communes", "qpv-2024", "tiers-lieux"]
    assert location.qpv.inside is None
    assert location.tiers_lieux.count is None


def test_tiers_lieux_within_the_radius(territory_loaded):
    location = locate(latitude=43.70, longitude=7.25, tiers_lieux_radius_m=5000)
    nearby = location.tiers_lieux
    # Independent count: geodesic distances on the ellipsoid to every place of the census.
    places = list(TiersLieu.objects.values_list("longitude", "latitude"))
    lons, lats = zip(*places, strict=True)
    _, _, metres = Geod(ellps="GRS80").inv([7.25] * len(places), [43.70] * len(places), lons, lats)
    assert nearby.count == sum(m <= 5000 for m in metres) == 7
    assert [p["distance_m"] for p in nearby.nearest] == sorted(p["distance_m"] for p in nearby.nearest)
    assert all(p["distance_m"] <= 5000 for p in nearby.nearest)
    assert len(nearby.nearest) == 5


def test_bulk_location_matches_single_location(territory_loaded):
    lat, lon = point_outside("QN06901M", 200)
    bulk = locate_points([VILLEURBANNE_IN_QPV[1], lon, NASBINALS[1]], [VILLEURBANNE_IN_QPV[0], lat, NASBINALS[0]],
                         vintage=2024)
    index = qpv_index(2024)
    assert list(bulk.inside) == [True, False, False]
    assert [index.codes[i] for i in bulk.nearest[:2]] == ["QN06901M", "QN06901M"]
    assert bulk.distance_m[1] == pytest.approx(200, abs=1)


def test_cli_locate_prints_json_from_coordinates(territory_loaded):
    out = StringIO()
    call_command("locate", "--lat", "43.70", "--lon", "7.25", stdout=out)
    data = json.loads(out.getvalue())
    assert data["commune"] == {"code": "06088", "name": "Nice"}
    assert (data["departement"], data["region"], data["approximate"]) == ("06", "93", False)
    assert data["qpv"]["inside"] is False
    assert data["qpv"]["code"] == "QN00610M"
    assert data["qpv"]["distance_m"] == 579


def test_cli_locate_from_a_commune_is_approximate(territory_loaded):
    out = StringIO()
    call_command("locate", "--commune", "06088", "--vintage", "2024", stdout=out)
    data = json.loads(out.getvalue())
    assert data["approximate"] is True
    assert data["commune"]["code"] == "06088"
    assert isinstance(data["qpv"]["distance_m"], int)


def test_cli_locate_refuses_half_coordinates(db):
    with pytest.raises(CommandError, match="--lat et --lon vont ensemble"):
        call_command("locate", "--lat", "43.7", stdout=StringIO())


def test_bulk_distances_agree_with_geodesic_distances(qpv2024_loaded):
    """Random points of the mainland: bulk distances within 0.5 % or 2 m of the geodesic reference."""
    from tests.territory.test_distances import geodesic_reference

    rng = np.random.default_rng(7)
    lons, lats = rng.uniform(-4.8, 8.2, 200), rng.uniform(42.3, 51.1, 200)
    bulk = locate_points(lons, lats, vintage=2024)
    index = qpv_index(2024)
    reference = geodesic_reference(lons, lats, index.lonlat)
    assert (np.abs(bulk.distance_m - reference) <= np.maximum(0.005 * reference, 2)).all()


def test_index_is_rebuilt_after_a_new_import(qpv2015_loaded, tmp_path):
    from fabriques.territory.domain import qpv_import
    from tests.territory.conftest import QPV_2015_OCCITANIE

    assert len(qpv_index(2015)) == 105
    data = json.loads(gzip.decompress(QPV_2015_OCCITANIE.read_bytes()))
    data["features"] = data["features"][:2]
    smaller = tmp_path / "qpv2015.geojson"
    smaller.write_text(json.dumps(data), encoding="utf-8")
    qpv_import(path=smaller, vintage=2015)
    assert len(qpv_index(2015)) == 2
