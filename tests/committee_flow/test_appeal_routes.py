"""Refusal letters state the appeal routes and deadline (voies et délais de recours) with the call's authority and
tribunal; a laureate's letter carries the committee's written reason and no appeal paragraph."""

from pathlib import Path

import pytest
from django.template.loader import render_to_string

from fabriques.calls.appeal import appeal_for, appeal_text
from fabriques.calls.definition import DefinitionError, parse_definition
from fabriques.committee import domain
from fabriques.committee.enums import Outcome
from fabriques.committee.letters import letter_pdf, letter_text
from tests.committee_flow.test_committee import _relaxed

pytestmark = pytest.mark.django_db

BRETAGNE = ('\n[appeal]\nauthority = "la préfecture de la région Bretagne"\n'
            'tribunal = "tribunal administratif de Rennes"\n')
DEFINITION = Path(__file__).resolve().parents[2] / "src/fabriques/calls/definitions/ami-tiers-lieux-2019.toml"


def test_the_2019_call_defaults_to_the_anct_and_the_paris_administrative_tribunal(call):
    text = appeal_text(call)

    assert text.startswith("Voies et délais de recours : cette décision peut faire l’objet d’un recours gracieux "
                           "auprès de l’Agence nationale de la cohésion des territoires (ANCT), autorité signataire, "
                           "dans un délai de deux mois à compter de sa notification.")
    assert "recours contentieux devant le tribunal administratif de Paris dans un délai de deux mois" in text
    assert "« Télérecours citoyens », accessible sur le site www.telerecours.fr." in text


def test_a_definition_names_its_own_authority_and_tribunal_and_a_wrong_key_is_named():
    text = DEFINITION.read_text()
    own = text + BRETAGNE

    parsed = parse_definition(own, source="bretagne.toml")

    assert parsed.appeal.tribunal == "tribunal administratif de Rennes"
    with pytest.raises(DefinitionError, match="appeal"):
        parse_definition(text + '\n[appeal]\ntribunl = "Rennes"\n', source="faute.toml")


def test_the_appeal_paragraph_follows_the_stored_definition(call):
    call.source_text += BRETAGNE

    assert appeal_for(call).authority == "la préfecture de la région Bretagne"
    assert "devant le tribunal administratif de Rennes" in appeal_text(call)


def test_refusal_letters_state_the_appeal_routes_and_laureates_keep_the_committee_reason(evaluated_wave, people):
    scenario = _relaxed(domain.scenario_create(wave=evaluated_wave, name="Recours", by=people["committee"]), people)
    scenario.envelope_eur = 300000
    scenario.save()
    domain.scenario_solve(scenario=scenario, by=people["committee"])
    decisions = domain.decisions_stage(scenario=scenario, by=people["committee"])
    laureate = next(d for d in decisions if d.outcome == Outcome.LAUREATE)
    laureate.reasons = "Motif du comité : projet exemplaire\n" + laureate.reasons
    refused = next(d for d in decisions if d.outcome == Outcome.NOT_RETAINED)

    _, refused_body = letter_text(refused)
    _, laureate_body = letter_text(laureate)

    assert "Voies et délais de recours" in refused_body
    assert "tribunal administratif de Paris" in refused_body
    assert "Voies et délais de recours" not in laureate_body
    assert "Motif du comité : projet exemplaire" in laureate_body
    html = render_to_string("committee/letter.html", {
        "decision": refused, "dossier": refused.dossier, "call": refused.dossier.wave.call,
        "reasons": refused.reasons.splitlines(), "appeal": appeal_text(refused.dossier.wave.call),
    })
    assert '<p class="appeal">Voies et délais de recours' in html
    assert letter_pdf(refused).startswith(b"%PDF-")
