"""Webhook targets (issue 15, point 4): no request to the server's own network, no redirects, errors as categories.

The probe saved endpoints on loopback, the cloud metadata address and private networks, and read the raw delivery
errors on the page. Receivers here are real local HTTP servers; an internal receiver needs the explicit setting.
"""

import pytest
import requests
from django.urls import reverse

from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.workflow import dossier_transition
from fabriques.webhooks import domain
from fabriques.webhooks.models import WebhookDelivery, WebhookEndpoint
from fabriques.webhooks.targets import ForbiddenAddressError, guarded_session, url_problem
from tests.api.test_webhooks import Receiver

pytestmark = pytest.mark.django_db

PROBES = [
    "http://127.0.0.1:9/ferme", "http://[::1]:9/x", "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.1:8443/interne", "https://[::ffff:127.0.0.1]/x", "https://224.0.0.1/x", "https://0.0.0.0/x",
    "https://100.64.0.1/x", "https://192.168.1.10/x", "https://localhost/x", "https://[fe80::1]/x",
]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.mark.parametrize("url", PROBES)
def test_an_internal_address_is_refused_at_save_and_nothing_is_stored(client, world, url):
    client.force_login(world.admin)

    response = client.post(reverse("webhooks:endpoints", args=[world.call.slug]), {"url": url})

    assert response.status_code == 200
    assert "mène au réseau interne" in response.content.decode() or "https://" in response.content.decode()
    assert url_problem(url) is not None
    assert not WebhookEndpoint.objects.exists()


def test_a_public_https_address_is_accepted(world):
    assert url_problem("https://8.8.8.8/hook") is None
    assert url_problem("https://recepteur.example.org/hook") is None  # checked at each delivery


def test_an_allow_listed_internal_receiver_is_accepted_even_over_http(world, settings):
    settings.FABRIQUES_WEBHOOK_ALLOWED_NETWORKS = ["10.1.2.0/24"]

    assert url_problem("http://10.1.2.3:8080/hook") is None
    assert url_problem("https://10.1.3.3/hook") is not None


def test_an_endpoint_saved_before_the_rule_is_not_reached_at_delivery(world, receiver):
    """Rows written before the check (or by any other way) are checked again at every delivery."""
    WebhookEndpoint.objects.create(call=world.call, url=receiver.url, created_by=world.admin)
    dossier_transition(world.other_occ, DossierState.IN_INSTRUCTION, by=world.admin)

    domain.deliveries_run_due()

    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    assert (delivery.last_status, delivery.last_error) == (None, "adresse interdite (réseau interne)")


def test_the_socket_peer_is_checked_too(world, receiver):
    """Past the name check (a name re-pointed to an internal address), the connection itself is refused."""
    with pytest.raises(requests.ConnectionError) as refused, guarded_session() as session:
        session.post(receiver.url, data=b"{}", timeout=(3, 3))

    assert isinstance(refused.value.args[0].reason, ForbiddenAddressError)
    assert receiver.requests == []


def test_redirects_are_not_followed_and_reported_as_such(world, receiver, settings):
    settings.FABRIQUES_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    receiver.status = 302
    domain.endpoint_create(call=world.call, url=receiver.url, by=world.admin)
    dossier_transition(world.other_occ, DossierState.IN_INSTRUCTION, by=world.admin)

    domain.deliveries_run_due()

    delivery = WebhookDelivery.objects.get()
    assert len(receiver.requests) == 1
    assert (delivery.last_status, delivery.state, delivery.last_error) == (302, "pending", "redirection refusée")


def test_the_delivery_log_shows_a_category_not_the_raw_error(client, world, settings):
    settings.FABRIQUES_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    domain.endpoint_create(call=world.call, url="http://127.0.0.1:9/ferme", by=world.admin)
    dossier_transition(world.other_occ, DossierState.IN_INSTRUCTION, by=world.admin)
    domain.deliveries_run_due()
    client.force_login(world.admin)

    page = client.get(reverse("webhooks:endpoints", args=[world.call.slug])).content.decode()

    assert "(connexion impossible)" in page
    for raw in ("ConnectionError", "Errno", "Connection refused", "HTTPConnectionPool", "Max retries"):
        assert raw not in page
