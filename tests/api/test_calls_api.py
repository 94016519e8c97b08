import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_list_calls_gives_each_call_with_its_waves_and_tracks(client, open_wave):
    response = client.get("/api/v1/calls")

    assert response.status_code == 200
    [call] = response.json()
    assert call["slug"] == "ami-tiers-lieux-2019"
    assert call["tracks"] == ["numerique", "territoire"]
    assert [w["slug"] for w in call["waves"]] == ["vague-1", "vague-2", "vague-3", "vague-demo"]
    assert [w["is_open"] for w in call["waves"]] == [False, False, False, True]


def test_get_call_returns_two_tracks_and_twelve_weighted_criteria(client, call):
    data = client.get("/api/v1/calls/ami-tiers-lieux-2019").json()

    assert [t["slug"] for t in data["tracks"]] == ["numerique", "territoire"]
    assert len(data["criteria"]) == 12
    assert all(c["weight"] == "1.00" for c in data["criteria"])
    assert data["criteria"][0]["threshold"] == "1.50"
    assert data["tracks"][0]["rules"][1] == {
        "kind": "qpv_proximity", "label": "Être situé dans un QPV ou à proximité immédiate",
        "max_distance_m": 500, "min_count": None,
    }
    assert data["waves"][0]["closes_at"] == "2019-10-31T22:59:59Z"


def test_unknown_call_gives_a_404_with_a_consistent_error_body(client, call):
    response = client.get("/api/v1/calls/inconnu")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Aucun appel « inconnu »."}


def test_openapi_schema_is_published(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert schema["info"]["title"] == "API Fabriques"
    assert "/api/v1/calls/{slug}" in schema["paths"]


def test_get_call_uses_a_fixed_number_of_queries(client, call):
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/calls/ami-tiers-lieux-2019")

    assert len(queries) <= 12
