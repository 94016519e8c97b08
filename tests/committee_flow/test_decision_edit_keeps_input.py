"""A refused edit of a staged decision comes back with the outcome, amount and reasons the committee typed,
and the French error in that decision's form (status 400); the decision is unchanged."""

import re

import pytest
from django.urls import reverse

from fabriques.audit.models import AuditEntry
from fabriques.committee import domain
from fabriques.committee.enums import Outcome
from fabriques.committee.models import Decision

pytestmark = pytest.mark.django_db

TYPED = "Projet solide, mais le plan de financement repose sur une subvention régionale non confirmée."


@pytest.fixture
def staged(evaluated_wave, people):
    scenario = domain.scenario_create(wave=evaluated_wave, name="Séance", by=people["committee"])
    targets = [{**t, "value": 0 if t["kind"] != "max_laureates" else t["value"]} for t in scenario.targets]
    domain.scenario_settings(scenario=scenario, envelope_eur=scenario.envelope_eur, targets=targets,
                             use_calibrated=True, by=people["admin"])
    domain.scenario_solve(scenario=scenario, by=people["committee"])
    domain.decisions_stage(scenario=scenario, by=people["committee"])
    return Decision.objects.filter(dossier__wave=evaluated_wave).select_related("dossier").order_by("pk").first()


def _url(wave):
    return reverse("committee:decisions", args=[wave.call.slug, wave.slug])


def _row(decision):
    return Decision.objects.values_list("outcome", "amount_eur", "reasons").get(pk=decision.pk)


@pytest.mark.parametrize(("amount", "error"), [
    ("999999999", "Le montant accordé doit rester dans les bornes de l’entrée."),
    ("douze mille", "Le montant doit être un nombre entier d’euros."),
])
def test_a_refused_amount_keeps_the_reasons_and_the_amount_typed_and_changes_nothing(
    client, evaluated_wave, people, staged, amount, error
):
    before, audit_before = _row(staged), AuditEntry.objects.count()
    client.force_login(people["committee"])

    response = client.post(_url(evaluated_wave), {
        "decision": staged.pk, "outcome": Outcome.LAUREATE, "amount_eur": amount, "reasons": TYPED,
    })

    html = response.content.decode()
    assert response.status_code == 400
    alert = f'role="alert" id="decision-error-{staged.pk}"><p>Décision non enregistrée : {error}</p></div>'
    assert alert in html
    assert re.search(rf'<textarea[^>]*id="reasons-{staged.pk}"[^>]*>(.*?)</textarea>', html, re.S).group(1) == TYPED
    assert re.search(rf'<input[^>]*id="amount-{staged.pk}"[^>]*value="([^"]*)"', html).group(1) == amount
    assert re.search(rf'<option value="{Outcome.LAUREATE}" selected>', html)
    assert '<h2 class="fr-alert__title">La décision n’a pas été enregistrée</h2>' in html
    assert _row(staged) == before
    assert AuditEntry.objects.count() == audit_before


def test_reasons_left_empty_are_refused_and_the_outcome_chosen_stays(client, evaluated_wave, people, staged):
    before = _row(staged)
    client.force_login(people["committee"])

    response = client.post(_url(evaluated_wave), {
        "decision": staged.pk, "outcome": Outcome.WAITING_LIST, "amount_eur": "", "reasons": "  ",
    })

    html = response.content.decode()
    assert response.status_code == 400
    assert "Décision non enregistrée : Chaque décision porte des motifs : le porteur doit savoir pourquoi." in html
    assert re.search(rf'<option value="{Outcome.WAITING_LIST}" selected>', html)
    assert _row(staged) == before


def test_a_good_edit_is_saved_and_the_page_is_shown_again(client, evaluated_wave, people, staged):
    client.force_login(people["committee"])

    response = client.post(_url(evaluated_wave), {
        "decision": staged.pk, "outcome": Outcome.NOT_RETAINED, "amount_eur": "", "reasons": TYPED,
    })

    assert response.status_code == 302
    assert _row(staged) == (Outcome.NOT_RETAINED, None, TYPED)


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 302), ("evaluator", 403), ("instructor", 403)])
def test_people_outside_the_committee_cannot_edit_nor_see_a_refused_edit(
    client, evaluated_wave, people, staged, who, expected
):
    before = _row(staged)
    if who != "anonymous":
        client.force_login(people[who])

    response = client.post(_url(evaluated_wave), {
        "decision": staged.pk, "outcome": Outcome.LAUREATE, "amount_eur": "1", "reasons": TYPED,
    })

    assert response.status_code == expected
    assert TYPED not in response.content.decode()
    assert _row(staged) == before
