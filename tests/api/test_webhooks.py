"""Webhooks: a delivery per state change, signed with HMAC-SHA256, retried with back-off, logged for admins."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.workflow import dossier_transition
from fabriques.webhooks import domain
from fabriques.webhooks.enums import BACKOFF, DeliveryState
from fabriques.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP server on localhost that records requests and answers with `status`."""

    def __init__(self, status: int = 200):
        self.status, self.requests = status, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    """The receivers here are local servers: allowed explicitly, as an operator allows an internal receiver."""
    settings.FABRIQUES_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def test_state_change_is_delivered_signed_to_the_endpoint(world, receiver):
    endpoint = domain.endpoint_create(call=world.call, url=receiver.url, by=world.admin)

    dossier_transition(world.other_occ, DossierState.IN_INSTRUCTION, by=world.admin)
    assert domain.deliveries_run_due() == 1

    [(headers, body)] = receiver.requests
    expected = "sha256=" + hmac.new(endpoint.secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Fabriques-Signature"], expected)
    payload = json.loads(body)
    assert payload["event"] == "dossier.state_changed"
    assert payload["dossier"] == {"uuid": str(world.other_occ.uuid), "reference": world.other_occ.reference,
                                  "state": "in_instruction", "url": f"/api/v1/dossiers/{world.other_occ.uuid}"}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.DELIVERED, 1, 200)


def test_failing_receiver_is_retried_with_back_off_then_failed(world, receiver):
    receiver.status = 500
    domain.endpoint_create(call=world.call, url=receiver.url, by=world.admin)
    dossier_transition(world.other_occ, DossierState.IN_INSTRUCTION, by=world.admin)
    now = timezone.now()
    waits = []

    for _ in range(len(BACKOFF) + 1):
        assert domain.deliveries_run_due(now=now) == 1
        assert domain.deliveries_run_due(now=now) == 0  # not due again before its back-off
        delivery = WebhookDelivery.objects.get()
        if delivery.state == DeliveryState.PENDING:
            waits.append(delivery.next_attempt_at - now)
            now = delivery.next_attempt_at

    assert waits == [dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30),
                     dt.timedelta(hours=2), dt.timedelta(hours=12)]
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.FAILED, 6, 500)
    assert delivery.last_error == "réponse HTTP 500"
    assert len(receiver.requests) == 6


def test_receiver_that_recovers_gets_the_same_signed_body(world, receiver):
    receiver.status = 503
    domain.endpoint_create(call=world.call, url=receiver.url, by=world.admin)
    dossier_transition(world.other_occ, DossierState.IN_INSTRUCTION, by=world.admin)
    domain.deliveries_run_due()
    receiver.status = 204

    domain.deliveries_run_due(now=timezone.now() + dt.timedelta(minutes=1))

    first, second = receiver.requests
    assert first[1] == second[1]
    assert first[0]["X-Fabriques-Signature"] == second[0]["X-Fabriques-Signature"]
    assert WebhookDelivery.objects.get().state == DeliveryState.DELIVERED


def test_unreachable_endpoint_records_the_error_and_waits(world):
    domain.endpoint_create(call=world.call, url="http://127.0.0.1:9/ferme", by=world.admin)
    dossier_transition(world.other_occ, DossierState.IN_INSTRUCTION, by=world.admin)

    domain.deliveries_run_due()

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.PENDING
    assert delivery.last_status is None
    assert delivery.last_error == "connexion impossible"  # a category: no host, port or exception text


def test_inactive_endpoints_and_other_calls_get_nothing(world, receiver, other_call):
    endpoint = domain.endpoint_create(call=world.call, url=receiver.url, by=world.admin)
    domain.endpoint_set_active(endpoint=endpoint, active=False, by=world.admin)
    domain.endpoint_create(call=other_call, url=receiver.url, by=world.admin)

    dossier_transition(world.other_occ, DossierState.IN_INSTRUCTION, by=world.admin)

    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(("who", "status"), [
    (None, 302), ("applicant", 403), ("other_applicant", 403), ("instructor", 403),
    ("other_instructor", 403), ("evaluator", 403), ("committee", 403), ("admin", 200),
])
def test_endpoints_and_delivery_log_are_for_programme_admins(client, world, receiver, who, status):
    domain.endpoint_create(call=world.call, url=receiver.url, by=world.admin)
    dossier_transition(world.other_occ, DossierState.IN_INSTRUCTION, by=world.admin)
    if who:
        client.force_login(getattr(world, who))

    response = client.get(reverse("webhooks:endpoints", args=[world.call.slug]))

    assert response.status_code == status
    if status == 200:
        assert world.other_occ.reference in response.content.decode()
        assert "À envoyer" in response.content.decode()


def test_admin_adds_an_endpoint_and_a_plain_http_address_is_refused(client, world):
    client.force_login(world.admin)
    url = reverse("webhooks:endpoints", args=[world.call.slug])

    refused = client.post(url, {"url": "http://exemple.fr/hook"})
    accepted = client.post(url, {"url": "https://exemple.fr/hook"})

    assert "L’adresse doit commencer par https://" in refused.content.decode()
    assert accepted.status_code == 302
    assert list(world.call.webhook_endpoints.values_list("url", flat=True)) == ["https://exemple.fr/hook"]


def test_the_secret_is_shown_once_after_creation(client, world):
    client.force_login(world.admin)
    url = reverse("webhooks:endpoints", args=[world.call.slug])

    page = client.post(url, {"url": "https://exemple.fr/hook"}, follow=True).content.decode()
    endpoint = world.call.webhook_endpoints.get()
    assert f'<code id="new-secret">{endpoint.secret}</code>' in page
    again = client.get(url).content.decode()
    assert endpoint.secret not in again
    assert "masqué (montré une seule fois, à la création)" in again


def test_a_test_delivery_reaches_the_receiver_signed_and_is_logged(client, world, receiver):
    endpoint = domain.endpoint_create(call=world.call, url=receiver.url, by=world.admin)
    client.force_login(world.admin)

    page = client.post(reverse("webhooks:test", args=[world.call.slug, endpoint.pk]), follow=True).content.decode()

    assert f"Envoi de test reçu par {receiver.url} (HTTP 200)." in page
    [(headers, body)] = receiver.requests
    assert json.loads(body)["event"] == "webhook.test"
    assert headers["X-Fabriques-Signature"] == domain.signature(endpoint.secret, body)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.event, delivery.state) == ("webhook.test", DeliveryState.DELIVERED)
    assert "envoi de test" in page


def test_a_failed_test_delivery_says_why_and_waits_for_a_retry(client, world):
    endpoint = domain.endpoint_create(call=world.call, url="http://127.0.0.1:9/hook", by=world.admin)
    client.force_login(world.admin)

    page = client.post(reverse("webhooks:test", args=[world.call.slug, endpoint.pk]), follow=True).content.decode()

    assert "Envoi de test non reçu par http://127.0.0.1:9/hook" in page
    assert WebhookDelivery.objects.get(endpoint=endpoint).state == DeliveryState.PENDING


def test_deleting_an_endpoint_removes_it_and_is_audited(client, world, receiver):
    from fabriques.audit.models import AuditEntry

    endpoint = domain.endpoint_create(call=world.call, url=receiver.url, by=world.admin)
    client.force_login(world.admin)
    page = client.get(reverse("webhooks:endpoints", args=[world.call.slug])).content.decode()
    assert 'data-confirm="Supprimer le point de réception' in page

    client.post(reverse("webhooks:delete", args=[world.call.slug, endpoint.pk]))

    assert not world.call.webhook_endpoints.exists()
    assert AuditEntry.objects.filter(action="webhook.delete").count() == 1


@pytest.mark.parametrize("who", ["instructor", "committee", "applicant"])
def test_only_programme_admins_test_or_delete(client, world, receiver, who):
    endpoint = domain.endpoint_create(call=world.call, url=receiver.url, by=world.admin)
    client.force_login(getattr(world, who))
    for name in ("webhooks:test", "webhooks:delete"):
        assert client.post(reverse(name, args=[world.call.slug, endpoint.pk])).status_code == 403
    assert receiver.requests == []
    assert world.call.webhook_endpoints.count() == 1
