"""The demo of `make run`, built on the shipped reference data, tells a true story (issues 25 and 16).

One build (≈ 35 s on SQLite, the same path as `make demo`: reference data imported, then the demo seeded through the
domain functions) is checked from every side in one test: the committee's default scenario solves with every target
met within the envelope; no dossier is admissible with a failed rule unless an explicit override with its reason says
so; every place gives the outcome it was chosen for; a dossier waits for each role; a second run changes nothing.
"""

import json

import pytest
from django.core.management import call_command

from fabriques.accounts.models import User
from fabriques.calls.models import Call, Wave
from fabriques.committee.models import Scenario
from fabriques.demo.domain import demo_seed
from fabriques.demo.places import CLOSED_WAVE, QPV_LIMIT_M
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.evaluation.enums import AssignmentState
from fabriques.evaluation.models import Assignment
from fabriques.instruction.enums import CheckItem
from fabriques.territory.locate import locate
from tests.conftest import territory_import_all

pytestmark = pytest.mark.django_db

S = DossierState
PAST_ADMISSIBILITY = [S.ADMISSIBLE, S.IN_EVALUATION, S.EVALUATED, S.LAUREATE, S.WAITING_LIST, S.NOT_RETAINED]


def _rule(dossier, kind):
    return next(r for r in dossier.eligibility_report["results"] if r["kind"] == kind)


def _check_the_committee_scenario(wave, capsys):
    scenario = Scenario.objects.get(wave=wave)
    result = scenario.result
    assert scenario.name == "Scénario de référence"
    assert result["status"] == "optimal"
    assert [t["label"] for t in result["targets"] if not t["met"]] == []
    assert 0 < result["budget_used"] <= wave.envelope_eur
    assert len(result["chosen"]) == wave.max_laureates

    call_command("allocate", wave=wave.slug, json=True)
    printed = json.loads(capsys.readouterr().out)
    assert printed["status"] == "optimal"
    assert all(t["met"] for t in printed["targets"])
    assert printed["budget_used"] <= printed["envelope"]
    assert all(item["amount_eur"] for item in printed["chosen"])


def _check_no_failed_rule_is_waved_through(wave):
    passed = Dossier.objects.filter(wave__call=wave.call, state__in=PAST_ADMISSIBILITY).select_related("instruction")
    failed = [d for d in passed if d.eligibility_status == "fail"]
    for dossier in failed:
        location = dossier.instruction.checks.get(item=CheckItem.LOCATION)
        assert location.overrides_failure is True, dossier.place_name
        assert len(location.confirmed_reason) > 40, dossier.place_name
    assert [d.place_name for d in failed] == [p.name for p in CLOSED_WAVE if p.override]
    refused = {d.place_name: d.instruction.decision_reason for d in wave.dossiers.filter(state=S.INADMISSIBLE)}
    assert sorted(refused) == sorted(p.name for p in CLOSED_WAVE if p.refused)
    assert all("règle non respectée" in reason and "seuil 500 m" in reason for reason in refused.values())


def _check_each_place_gives_the_outcome_it_was_chosen_for(wave):
    dossiers = {d.place_name: d for d in wave.dossiers.select_related("place_commune")}
    assert len(dossiers) == len(CLOSED_WAVE)
    for place in CLOSED_WAVE:
        dossier = dossiers[place.name]
        assert dossier.place_commune.code == place.commune
        if place.track == "numerique":
            rule = _rule(dossier, "qpv_proximity")
            assert rule["status"] == ("pass" if place.in_or_near_qpv else "fail"), (place.name, rule)
            qpv = dossier.eligibility_report["location"]["qpv"]
            assert qpv["code"] == place.qpv, place.name
            assert abs(qpv["distance_m"] - place.distance_m) <= 5, (place.name, qpv["distance_m"])
        else:
            assert _rule(dossier, "tiers_lieux_network")["status"] == "pass", place.name
        if place.qpv and place.track == "territoire":
            assert dossier.eligibility_report["location"]["qpv"]["inside"] is True, place.name
        if dossier.state == S.EVALUATED:
            assert dossier.instruction.is_rural is place.rural
            assert dossier.instruction.is_qpv is place.in_or_near_qpv, place.name
        if dossier.place_commune.region_code != "76":
            # The QPV of 2015 are shipped for Occitanie only: elsewhere « hors QPV » rests on the 2024 perimeters.
            nearest = locate(latitude=place.latitude, longitude=place.longitude, qpv_vintage=2024).qpv
            assert nearest.distance_m > 2 * QPV_LIMIT_M, (place.name, nearest.distance_m)
    regions = {d.place_commune.region_code for d in dossiers.values()}
    assert len(regions) == 13


def _check_a_dossier_waits_for_each_role(call):
    applicant = User.objects.get(email="porteur@demo.fabriques.fr")
    evaluator = User.objects.get(email="evaluateur@demo.fabriques.fr")
    waiting = Dossier.objects.filter(wave__slug="vague-demo-instruction", wave__call=call)
    assert waiting.filter(state=S.DEPOSITED).count() == 2
    assert waiting.filter(state=S.DEPOSITED, eligibility_status="fail").count() == 1
    assert waiting.filter(state=S.IN_INSTRUCTION, eligibility_status="manual").count() == 1
    complements = waiting.get(state=S.COMPLEMENTS_REQUESTED)
    assert complements.owner == applicant
    assert complements.complement_requests.filter(answered_at__isnull=True).count() == 1
    mine = Assignment.objects.filter(dossier__in=waiting, evaluator=evaluator)
    assert sorted(mine.values_list("state", flat=True)) == sorted(
        [AssignmentState.AWAITING_DECLARATION, AssignmentState.ACTIVE])
    assert Dossier.objects.filter(wave__slug="vague-demo", owner=applicant, state=S.DRAFT).count() == 1


def test_the_demo_on_the_shipped_data_solves_follows_the_rules_and_keeps_a_dossier_for_each_role(capsys, client):
    territory_import_all()

    call, _, _ = demo_seed()

    wave = Wave.objects.get(call=call, slug="vague-demo-close")
    _check_the_committee_scenario(wave, capsys)
    _check_no_failed_rule_is_waved_through(wave)
    _check_each_place_gives_the_outcome_it_was_chosen_for(wave)
    _check_a_dossier_waits_for_each_role(call)

    client.force_login(User.objects.get(email="comite@demo.fabriques.fr"))
    page = client.get(f"/comite/{call.slug}/{wave.slug}/").content.decode()
    assert "Scénario de référence" in page
    assert "ne peuvent pas être tenus" not in page
    assert "Éligibilité forcée : " in page  # the demo's explicit override, with its reason

    _check_the_second_call_is_shown_and_administered(client)

    counts = (Dossier.objects.count(), Scenario.objects.count(), User.objects.count(), Call.objects.count())
    demo_seed()
    assert (Dossier.objects.count(), Scenario.objects.count(), User.objects.count(), Call.objects.count()) == counts


def _check_the_second_call_is_shown_and_administered(client):
    """The Bretagne call runs beside the 2019 AMI from its definition alone: on the home page and its own page, and
    the demo's programme admin holds the admin role on it (nobody else does)."""
    bretagne = Call.objects.get(slug="tiers-lieux-bretagne-2027")
    client.logout()
    assert f"/appels/{bretagne.slug}/" in client.get("/").content.decode()
    page = client.get(f"/appels/{bretagne.slug}/").content.decode()
    assert "Tiers-lieux en Bretagne" in page
    assert "Vague de printemps 2027" in page
    holders = {(r.user.email, r.role) for r in bretagne.roles.select_related("user")}
    assert holders == {("admin@demo.fabriques.fr", "admin")}

