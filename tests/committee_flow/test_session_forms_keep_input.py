"""Refused forms of the committee session (new scenario, settings, a dossier's pin or amount) come back with
what was typed and the French error (status 400); nothing changes."""

import re

import pytest
from django.urls import reverse

from fabriques.audit.models import AuditEntry
from fabriques.committee import domain
from fabriques.committee.models import Scenario, ScenarioAmount, ScenarioPin

pytestmark = pytest.mark.django_db

TYPED_REASON = "Le porteur a retiré sa demande par courrier du 3 mars."


@pytest.fixture
def scenario(evaluated_wave, people):
    return domain.scenario_create(wave=evaluated_wave, name="Équilibré", by=people["committee"])


@pytest.fixture
def committee(client, people):
    client.force_login(people["committee"])
    return client


def _args(wave, *extra):
    return [wave.call.slug, wave.slug, *extra]


def _unchanged(wave):
    """What a refused session form must leave as it was."""
    return (
        sorted(Scenario.objects.filter(wave=wave).values_list("name", "envelope_eur", "targets", "use_calibrated")),
        ScenarioPin.objects.count(),
        ScenarioAmount.objects.count(),
        AuditEntry.objects.count(),
    )


def _value(html, field_id):
    return re.search(rf'<input[^>]*id="{field_id}"[^>]*value="([^"]*)"', html).group(1)


def test_a_new_scenario_with_a_name_already_taken_keeps_the_name_and_says_why(committee, evaluated_wave, scenario):
    before = _unchanged(evaluated_wave)

    response = committee.post(reverse("committee:scenario-create", args=_args(evaluated_wave)),
                              {"name": "Équilibré", "copy_from": scenario.pk})

    html = response.content.decode()
    assert response.status_code == 400
    assert _value(html, "scenario-name") == "Équilibré"
    assert re.search(r'id="copy-from"[^>]* checked', html)
    assert ('<div id="scenario-name-errors"><p class="fr-error-text">'
            "Un scénario « Équilibré » existe déjà pour cette vague.</p></div>") in html
    assert '<h2 class="fr-alert__title">Le scénario n’a pas été créé</h2>' in html
    assert _unchanged(evaluated_wave) == before


def test_settings_with_an_envelope_that_is_not_a_number_keep_every_value_typed(committee, evaluated_wave, scenario):
    before = _unchanged(evaluated_wave)
    typed = {"envelope_eur": "un million", **{f"target-{i}": str(10 + i) for i in range(len(scenario.targets))}}

    response = committee.post(
        reverse("committee:scenario-settings", args=_args(evaluated_wave, scenario.pk)), typed
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert _value(html, "envelope") == "un million"
    assert [_value(html, f"target-{i}") for i in range(len(scenario.targets))] == [
        str(10 + i) for i in range(len(scenario.targets))
    ]
    assert not re.search(r'id="use-calibrated"[^>]* checked', html)
    assert ('<div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" id="scenario-settings-errors">'
            "<p>L’enveloppe doit être un nombre entier d’euros.</p></div>") in html
    assert _unchanged(evaluated_wave) == before


def test_a_pin_refused_keeps_the_choice_and_the_reason_typed_next_to_the_dossier(
    committee, evaluated_wave, scenario
):
    dossier = evaluated_wave.dossiers.order_by("pk").first()
    before = _unchanged(evaluated_wave)

    response = committee.post(
        reverse("committee:scenario-dossier", args=_args(evaluated_wave, scenario.pk, dossier.uuid)),
        {"pin": "ailleurs", "reason": TYPED_REASON},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert f'<details class="fab-adjust" id="adjust-{dossier.pk}" open>' in html
    assert f'<p class="fr-error-text" id="adjust-{dossier.pk}-errors">Choix inconnu.</p>' in html
    assert _value(html, f"reason-{dossier.pk}") == TYPED_REASON
    assert _unchanged(evaluated_wave) == before


def test_an_amount_out_of_the_track_bounds_keeps_the_amount_typed(committee, evaluated_wave, scenario):
    dossier = evaluated_wave.dossiers.order_by("pk").first()
    before = _unchanged(evaluated_wave)

    response = committee.post(
        reverse("committee:scenario-dossier", args=_args(evaluated_wave, scenario.pk, dossier.uuid)),
        {"amount_eur": "2000000"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert _value(html, f"amount-{dossier.pk}") == "2000000"
    assert re.search(rf'<p class="fr-error-text" id="adjust-{dossier.pk}-errors">Le montant doit rester entre ', html)
    assert _unchanged(evaluated_wave) == before


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 302), ("evaluator", 403), ("instructor", 403)])
def test_people_outside_the_committee_get_no_session_form_back(client, evaluated_wave, people, scenario, who, expected):
    if who != "anonymous":
        client.force_login(people[who])
    before = _unchanged(evaluated_wave)

    response = client.post(reverse("committee:scenario-create", args=_args(evaluated_wave)), {"name": "Équilibré"})

    assert response.status_code == expected
    assert "Équilibré" not in response.content.decode()
    assert _unchanged(evaluated_wave) == before
