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


@pytest.mark.parametrize(("typed", "code"), [
    ("saint-denis", "93066"),  # hyphens or spaces, accents or none
    ("SAINT DENIS", "93066"),
    ("St-Denis", "93066"),  # « St » for Saint, also in the middle of a name
    ("villeneuve st georges", "94078"),
    ("Villeneuve-Saint-Georges", "94078"),
    ("L’Île-d’Yeu", "85113"),  # typographic apostrophes
    ("l'ile d'yeu", "85113"),
    ("ile d yeu", "85113"),
    ("93200", "93066"),  # a postcode
    ("Paris 11e", "75111"),  # arrondissements, however the ordinal is written
    ("paris 11ème", "75111"),
    ("Paris 11eme", "75111"),
    ("Lyon 3e", "69383"),
    ("Marseille 13e", "13213"),
    ("Paris 1er", "75101"),
    ("Fort-de-France", "97209"),  # overseas communes
    ("mamoudzou", "97611"),
    ("Saint-Pierre", "97416"),
])
def test_search_finds_a_commune_however_a_person_types_it(communes_loaded, typed, code):
    assert code in [c.code for c in communes_search(typed, limit=10)]
