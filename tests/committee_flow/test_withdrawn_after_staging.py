"""A dossier withdrawn after the decisions were staged: applying them is refused in French, never a 500."""

import pytest

from fabriques.committee import domain
from fabriques.committee.models import Decision
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.workflow import dossier_transition
from fabriques.refusal import Refusal

pytestmark = pytest.mark.django_db


def _stage(wave, people):
    scenario = domain.scenario_create(wave=wave, name="Retrait", by=people["committee"])
    targets = [{**t, "value": 0 if t["kind"] != "max_laureates" else t["value"]} for t in scenario.targets]
    domain.scenario_settings(scenario=scenario, envelope_eur=300000, targets=targets, use_calibrated=True,
                             by=people["admin"])
    domain.scenario_solve(scenario=scenario, by=people["committee"])
    return domain.decisions_stage(scenario=scenario, by=people["committee"])


def test_applying_decisions_after_a_withdrawal_is_refused_and_nothing_is_applied(evaluated_wave, people, client):
    staged = _stage(evaluated_wave, people)
    withdrawn = staged[0].dossier
    dossier_transition(withdrawn, DossierState.WITHDRAWN, by=withdrawn.owner, reason="Projet abandonné")
    base = f"/comite/{evaluated_wave.call.slug}/{evaluated_wave.slug}/decisions/"
    client.force_login(people["admin"])

    response = client.post(base, {"apply": "1"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(base, 302)]
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith(f"Dossier {withdrawn.reference} : Un dossier « Retiré » ne peut pas passer")
    assert message.endswith("Rien n’a été appliqué ; préparez à nouveau les décisions.")
    assert not Decision.objects.filter(dossier__wave=evaluated_wave, applied_at__isnull=False).exists()
    states = set(evaluated_wave.dossiers.exclude(pk=withdrawn.pk).values_list("state", flat=True))
    assert states == {DossierState.EVALUATED}


def test_the_committee_error_is_a_refusal(evaluated_wave, people):
    staged = _stage(evaluated_wave, people)
    dossier_transition(staged[-1].dossier, DossierState.WITHDRAWN, by=staged[-1].dossier.owner)

    with pytest.raises(Refusal) as refused:
        domain.decisions_apply(wave=evaluated_wave, by=people["admin"])

    assert isinstance(refused.value, domain.CommitteeError)
    assert refused.value.status == 409
