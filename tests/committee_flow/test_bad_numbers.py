"""Numbers beyond what the database holds come back as a French 400, never a 500 (issue 15, point 5).

The probe: a scenario envelope of thirty nines raised OverflowError on SQLite.
"""

import pytest
from django.urls import reverse

from fabriques.committee import domain
from fabriques.committee.models import Scenario
from tests.committee_flow.test_session_forms_keep_input import _args, _unchanged, _value

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(evaluated_wave, people):
    return domain.scenario_create(wave=evaluated_wave, name="Équilibré", by=people["committee"])


@pytest.fixture
def committee(client, people):
    client.force_login(people["committee"])
    return client


@pytest.mark.parametrize("envelope", ["9" * 30, "-1", "1" + "0" * 16, "9" * 5000])
def test_an_envelope_beyond_the_database_is_refused_in_french(committee, evaluated_wave, scenario, envelope):
    before = _unchanged(evaluated_wave)
    typed = {"envelope_eur": envelope, **{f"target-{i}": "1" for i in range(len(scenario.targets))}}

    response = committee.post(reverse("committee:scenario-settings", args=_args(evaluated_wave, scenario.pk)), typed)

    html = response.content.decode()
    assert response.status_code == 400
    assert _value(html, "envelope") == envelope
    assert "L’enveloppe doit être" in html
    assert _unchanged(evaluated_wave) == before


def test_a_target_of_thirty_nines_is_refused(committee, evaluated_wave, scenario):
    typed = {"envelope_eur": "1000000", **{f"target-{i}": "9" * 30 for i in range(len(scenario.targets))}}

    response = committee.post(reverse("committee:scenario-settings", args=_args(evaluated_wave, scenario.pk)), typed)

    assert response.status_code == 400
    assert "Valeur invalide pour la cible" in response.content.decode()


def test_an_amount_of_thirty_nines_is_refused(committee, evaluated_wave, scenario):
    dossier = evaluated_wave.dossiers.order_by("pk").first()

    response = committee.post(
        reverse("committee:scenario-dossier", args=_args(evaluated_wave, scenario.pk, dossier.uuid)),
        {"amount_eur": "9" * 30, "reason": "x"},
    )

    assert response.status_code == 400
    assert "Le montant doit être un nombre entier d’euros." in response.content.decode()


@pytest.mark.parametrize("value", ["9" * 30, "-" + "9" * 30, "abc"])
def test_a_scenario_number_beyond_the_database_in_the_address_is_not_a_500(committee, evaluated_wave, value):
    response = committee.get(reverse("committee:session", args=_args(evaluated_wave)), {"scenario": value})

    assert response.status_code in (200, 404)
    assert Scenario.objects.filter(wave=evaluated_wave).count() <= 1  # the page may create the reference scenario
