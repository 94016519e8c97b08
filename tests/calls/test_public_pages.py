import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabriques.calls.domain import DEFINITIONS_DIR, call_load

pytestmark = pytest.mark.django_db


def test_home_lists_the_call_with_its_open_wave(client, open_wave):
    response = client.get("/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Appel à manifestation d’intérêt « Fabriques de territoire »" in body
    assert "Vague de démonstration (ouverte) : dépôt jusqu’au" in body


def test_home_says_when_no_call_is_open(client, call):
    body = client.get("/").content.decode()

    assert "Aucun appel n’est ouvert aux candidatures en ce moment." in body
    assert "candidatures closes" in body


def test_call_page_shows_both_tracks_money_calendar_and_twelve_criteria(client, call):
    body = client.get(reverse("calls:detail", args=[call.slug])).content.decode()

    assert "Fabrique numérique de territoire" in body
    assert "Fabrique de territoire" in body
    assert "de 50\u202f000\u00a0€ à 150\u202f000\u00a0€ sur 3 ans, 50\u202f000\u00a0€ par an au plus" in body
    assert "31 octobre 2019 à 23:59:59" in body
    assert body.count('class="fr-accordion__btn"') == 12
    assert "12. Partage et mise en commun des ressources" in body
    assert "Ray Oldenburg, The Great Good Place" in body
    assert "à 500 m au plus du périmètre du quartier" in body


def test_call_page_states_the_calls_retention_periods(client, call):
    call.__class__.objects.filter(pk=call.pk).update(unfunded_retention_years=3)
    body = client.get(reverse("calls:detail", args=[call.slug])).content.decode()
    assert "n’est plus modifié pendant 365 jours est supprimé ; vous êtes prévenu par courriel 30 jours avant" in body
    assert "retiré est effacé 3 ans après la décision" in body
    assert "lauréate est conservé 10 ans après la décision" in body


def test_unknown_call_is_a_404_in_french(client, call):
    response = client.get(reverse("calls:detail", args=["nope"]))

    assert response.status_code == 404


def _second_call():
    text = (DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").read_text().replace(
        'slug = "ami-tiers-lieux-2019"', 'slug = "ami-tiers-lieux-2023"'
    )
    call_load(text=text, source="copy.toml")


def test_home_and_call_page_queries_do_not_grow_with_calls(client, call):
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    _second_call()
    with CaptureQueriesContext(connection) as two:
        client.get("/")

    assert len(one) == len(two)


def test_call_page_queries_are_fixed(client, call):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("calls:detail", args=[call.slug]))

    assert len(queries) <= 13  # 12 + the listed networks of « Être accompagné » (one query, advice)
