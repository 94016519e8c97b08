import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabriques.territory.queries import communes_search

pytestmark = pytest.mark.django_db


def names(communes):
    return [c.name for c in communes]


def test_search_ignores_accents_and_case_and_puts_shorter_names_first(communes_loaded):
    found = communes_search("SAINT-ETIENNE", limit=3)
    assert names(found)[0] == "Saint-Étienne"
    assert found[0].code == "42218"


def test_search_by_a_later_word_of_the_name(communes_loaded):
    assert "Saint-Étienne" in names(communes_search("étienne", limit=30))


def test_search_expands_st_to_saint(communes_loaded):
    assert names(communes_search("st etienne", limit=1)) == ["Saint-Étienne"]


def test_search_by_insee_code_puts_exact_code_first(communes_loaded):
    found = communes_search("06088")
    assert [c.code for c in found] == ["06088"]
    assert found[0].name == "Nice"


def test_search_by_postal_code_finds_every_commune_of_that_code(communes_loaded):
    found = communes_search("06100")
    assert "06088" in [c.code for c in found]


def test_search_of_nothing_returns_nothing(communes_loaded):
    assert communes_search("   ") == []
    assert communes_search("zzzzqqq") == []


def test_search_endpoint_returns_option_lines(client, communes_loaded):
    response = client.get(reverse("territory:commune-search"), {"q": "nice"})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<option value="06088">Nice (06)</option>' in body


def test_search_endpoint_json(client, communes_loaded):
    response = client.get("/territoire/communes/", {"q": "06088", "format": "json"})
    assert response.json() == [
        {"code": "06088", "name": "Nice", "departement": "06", "region": "93", "label": "Nice (06)"}
    ]


def test_search_endpoint_query_count_does_not_grow_with_results(client, communes_loaded):
    with CaptureQueriesContext(connection) as few:
        client.get("/territoire/communes/", {"q": "nice", "limit": 1})
    with CaptureQueriesContext(connection) as many:
        client.get("/territoire/communes/", {"q": "sa", "limit": 30})
    assert len(few) == len(many) == 1
