"""API of the follow-up (tokens and scopes of the rest of the API), its webhooks, the followup-status command."""

import datetime as dt
import io
import json

from django.core.management import call_command
from django.utils import timezone

from fabriques.apitokens.domain import token_create
from fabriques.followup import domain
from fabriques.followup.enums import AgreementState, TrancheState
from fabriques.webhooks.models import WebhookDelivery, WebhookEndpoint


def _token(user, call, *, can_write=False):
    _, raw = token_create(owner=user, name="suivi", calls=[call], can_write=can_write,
                          expires_at=timezone.now() + dt.timedelta(days=30))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_an_agent_lists_and_reads_agreements_with_their_figures(client, agents, agreement_in_force):
    headers = _token(agents["committee"], agreement_in_force.call)
    page = client.get("/api/v1/followup/agreements", **headers).json()
    assert [a["reference"] for a in page["items"]] == [agreement_in_force.reference]
    assert page["items"][0]["remaining_eur"] == 150000
    detail = client.get(f"/api/v1/followup/agreements/{agreement_in_force.reference}", **headers).json()
    assert [t["state"] for t in detail["tranches"]] == ["due", "waiting", "waiting"]
    assert [r["year"] for r in detail["reports"]] == [1, 2, 3]


def test_an_evaluator_sees_no_agreement_and_a_read_only_token_cannot_mark_paid(client, agents, agreement_in_force):
    evaluator = _token(agents["evaluator"], agreement_in_force.call)
    assert client.get("/api/v1/followup/agreements", **evaluator).json()["items"] == []
    assert client.get(f"/api/v1/followup/agreements/{agreement_in_force.reference}", **evaluator).status_code == 404
    read_only = _token(agents["admin"], agreement_in_force.call)
    url = f"/api/v1/followup/agreements/{agreement_in_force.reference}/tranches/1/paid"
    response = client.post(url, data="{}", content_type="application/json", **read_only)
    assert response.status_code == 403
    assert response.json()["code"] == "read_only"


def test_a_write_token_of_an_admin_marks_a_requested_tranche_paid_and_a_webhook_is_queued(
        client, agents, agreement_in_force):
    WebhookEndpoint.objects.create(call=agreement_in_force.call, url="https://example.org/hook",
                                   created_by=agents["admin"])
    tranche = agreement_in_force.tranches.get(number=1)
    domain.tranche_transition(tranche, TrancheState.REQUESTED, by=agents["admin"])
    headers = _token(agents["admin"], agreement_in_force.call, can_write=True)
    url = f"/api/v1/followup/agreements/{agreement_in_force.reference}/tranches/1/paid"
    response = client.post(url, data=json.dumps({"payment_reference": "DP-42"}), content_type="application/json",
                           **headers)
    assert response.status_code == 200
    assert response.json()["state"] == "paid"
    body = json.loads(WebhookDelivery.objects.filter(event="tranche.state_changed").latest("id").body)
    assert body["tranche"] == {"number": 1, "amount_eur": 50000, "state": "paid", "previous_state": "requested"}
    refused = client.post(url, data="{}", content_type="application/json", **headers)
    assert refused.status_code == 422
    assert "ne peut pas passer" in refused.json()["message"]


def test_followup_status_json_lists_every_laureate_with_consistent_sums(agreement_in_force, agents):
    domain.tranche_transition(agreement_in_force.tranches.get(number=1), TrancheState.REQUESTED, by=agents["admin"])
    domain.tranche_transition(agreement_in_force.tranches.get(number=1), TrancheState.PAID, by=agents["admin"])
    out = io.StringIO()
    call_command("followup_status", "--call", agreement_in_force.call.slug, "--json", stdout=out)
    status = json.loads(out.getvalue())
    [row] = status["laureates"]
    assert row["state"] == AgreementState.IN_FORCE
    assert (row["committed_eur"], row["paid_eur"], row["remaining_eur"]) == (150000, 50000, 100000)
    assert status["totals"]["paid_eur"] == 50000
    text = io.StringIO()
    call_command("followup_status", "--call", agreement_in_force.call.slug, stdout=text)
    assert "En vigueur" in text.getvalue()
