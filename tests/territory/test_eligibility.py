import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from fabriques.territory.eligibility import eligibility_report
from fabriques.territory.geocode import GeocodingError, address_geocode
from fabriques.territory.index import qpv_index
from fabriques.territory.models import DatasetImport, Qpv
from tests.territory.test_locate import NASBINALS, VILLEURBANNE_IN_QPV, point_outside

pytestmark = pytest.mark.django_db


def qpv_result(report):
    return next(r for r in report.results if r.kind == "qpv_proximity")


def test_place_inside_a_qpv_passes(territory_loaded, numerique):
    report = eligibility_report(
        track=numerique, latitude=VILLEURBANNE_IN_QPV[0], longitude=VILLEURBANNE_IN_QPV[1], commune_code="69266"
    )
    result = qpv_result(report)
    assert (result.status, result.reason) == ("pass", "Dans le QPV QN06901M Monod - Baratin - Cacard.")
    assert report.location["qpv"]["inside"] is True


def test_place_200_m_away_passes_with_the_distance_and_threshold(territory_loaded, numerique):
    lat, lon = point_outside("QN06901M", 200)
    result = qpv_result(eligibility_report(track=numerique, latitude=lat, longitude=lon))
    assert result.status == "pass"
    assert result.reason == "À 200 m du QPV QN06901M Monod - Baratin - Cacard, seuil 500 m."


def test_place_800_m_away_fails_with_the_distance(territory_loaded, numerique):
    lat, lon = point_outside("QN00103M", 800)  # Ambérieu-en-Bugey: its only QPV
    result = qpv_result(eligibility_report(track=numerique, latitude=lat, longitude=lon))
    assert result.status == "fail"
    assert result.reason == "À 800 m du QPV QN00103M Les Courbes De L'Albarine, seuil 500 m."


def test_far_place_fails(territory_loaded, numerique):
    report = eligibility_report(
        track=numerique, latitude=NASBINALS[0], longitude=NASBINALS[1], legal_form_code="association"
    )
    assert qpv_result(report).status == "fail"
    assert report.status == "fail"


def test_commune_point_only_near_a_qpv_needs_a_manual_check(territory_loaded, numerique):
    result = qpv_result(eligibility_report(track=numerique, commune_code="69266"))
    assert result.status == "manual"
    assert result.reason.startswith("Seul le centre de la commune est connu (à ")


def test_commune_point_far_from_any_qpv_fails(territory_loaded, numerique):
    result = qpv_result(eligibility_report(track=numerique, commune_code="48104"))
    assert result.status == "fail"
    assert result.reason.startswith("Centre de la commune à ")


def test_near_a_collapsed_qpv_needs_a_manual_check(territory_loaded, numerique):
    index = qpv_index(2024)  # QN09105I Rive Droite (Corbeil-Essonnes) is a single point in the file
    point = index.lonlat[list(index.codes).index("QN09105I")]
    result = qpv_result(eligibility_report(track=numerique, latitude=point.y, longitude=point.x + 0.002))
    assert result.status == "manual"
    assert "QN09105I" in result.reason
    assert "réduit à un point" in result.reason


def test_qpv_vintage_not_loaded_needs_a_manual_check(territory_loaded, call):
    Qpv.objects.filter(vintage=2015).delete()
    DatasetImport.objects.filter(dataset="qpv-2015").delete()
    track = call.tracks.get(slug="numerique")  # the 2019 call uses the 2015 QPV
    result = qpv_result(eligibility_report(track=track, latitude=42.7107, longitude=2.8797))
    assert result.status == "manual"
    assert result.reason.startswith(
        "Les périmètres des QPV 2015 ne sont pas chargés : la proximité sera vérifiée par l’instructeur. "
        "À titre indicatif, d’après les QPV 2024 : le lieu est "
    )


def test_2015_call_uses_the_2015_perimeters(territory_loaded, call):
    track = call.tracks.get(slug="numerique")
    report = eligibility_report(track=track, latitude=42.7107, longitude=2.8797)
    assert report.location["qpv"]["vintage"] == 2015
    assert qpv_result(report).status == "pass"
    assert "QPV QP066" in qpv_result(report).reason


def test_2015_regional_file_gives_manual_outside_its_region(territory_loaded, call):
    track = call.tracks.get(slug="numerique")
    result = qpv_result(eligibility_report(track=track, latitude=VILLEURBANNE_IN_QPV[0],
                                           longitude=VILLEURBANNE_IN_QPV[1]))
    assert result.status == "manual"
    assert "ne couvrent pas ce territoire" in result.reason


def test_no_place_gives_manual(territory_loaded, numerique):
    result = qpv_result(eligibility_report(track=numerique))
    assert result.status == "manual"
    assert result.reason == "Lieu non renseigné : indiquez la commune ou l’adresse."


def test_tiers_lieux_network_is_described(territory_loaded, territoire):
    report = eligibility_report(track=territoire, latitude=43.70, longitude=7.25)
    result = next(r for r in report.results if r.kind == "tiers_lieux_network")
    assert result.status == "pass"
    assert result.reason.startswith("22 tiers-lieux recensés à moins de 20 km ; le plus proche : Le LABO Coworking")


def test_tiers_lieux_network_without_census_needs_a_manual_check(communes_loaded, territoire):
    report = eligibility_report(track=territoire, latitude=43.70, longitude=7.25)
    result = next(r for r in report.results if r.kind == "tiers_lieux_network")
    assert result.status == "manual"
    assert "recensement des tiers-lieux n’est pas chargé" in result.reason


# --- Addresses through BAN, against a local server answering in BAN's format -------------------------------


class BanHandler(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        BanHandler.requests.append({"path": urlparse(self.path).path, **{k: v[0] for k, v in query.items()}})
        features = []
        if "introuvable" not in query["q"][0]:
            features.append({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [VILLEURBANNE_IN_QPV[1], VILLEURBANNE_IN_QPV[0]]},
                "properties": {"label": "1 Rue Test 69100 Villeurbanne", "score": 0.93, "citycode": "69266",
                               "city": "Villeurbanne", "postcode": "69100", "type": "housenumber"},
            })
        body = json.dumps({"type": "FeatureCollection", "version": "draft", "features": features}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def ban_server(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), BanHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    BanHandler.requests = []
    settings.FABRIQUES_BAN_URL = f"http://127.0.0.1:{server.server_port}"
    yield BanHandler.requests
    server.shutdown()
    server.server_close()


def test_ban_client_reads_the_best_match(ban_server):
    found = address_geocode("1 rue Test Villeurbanne", commune_code="69266")
    assert found.label == "1 Rue Test 69100 Villeurbanne"
    assert (found.latitude, found.longitude, found.commune_code) == (*VILLEURBANNE_IN_QPV, "69266")
    assert ban_server == [{"path": "/search/", "q": "1 rue Test Villeurbanne", "limit": "1", "citycode": "69266"}]


def test_ban_finding_nothing_returns_none(ban_server):
    assert address_geocode("adresse introuvable") is None


def test_ban_unreachable_raises_a_clear_error(settings):
    settings.FABRIQUES_BAN_URL = "http://127.0.0.1:9"  # discard port: connection refused
    with pytest.raises(GeocodingError, match="service d’adresses indisponible"):
        address_geocode("1 rue Test")


def test_address_is_located_through_ban_and_checked(territory_loaded, numerique, ban_server):
    report = eligibility_report(track=numerique, address="1 rue Test Villeurbanne")
    assert report.location["source"] == "address"
    assert report.location["address"] == "1 Rue Test 69100 Villeurbanne"
    assert report.location["commune"] == {"code": "69266", "name": "Villeurbanne"}
    assert qpv_result(report).status == "pass"


def test_address_without_ban_falls_back_to_the_commune_point(territory_loaded, numerique, settings):
    settings.FABRIQUES_BAN_URL = ""
    report = eligibility_report(track=numerique, address="1 rue Test", commune_code="69266")
    assert report.location["source"] == "commune"
    assert report.location["approximate"] is True
    assert "Géocodage d’adresse non activé : l’adresse n’a pas été localisée." in report.notes
