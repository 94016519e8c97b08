"""Webhooks: queue one signed delivery per active endpoint on each dossier state change; send with back-off."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.db import transaction
from django.utils import timezone

from fabriques.audit.domain import audit_record
from fabriques.refusal import Refusal
from fabriques.webhooks.enums import BACKOFF, LEASE, DeliveryState
from fabriques.webhooks.models import WebhookDelivery, WebhookEndpoint
from fabriques.webhooks.targets import ERRORS, post

TIMEOUT = (3.05, 10)  # connect, read (seconds)
SIGNATURE_HEADER = "X-Fabriques-Signature"
BATCH = 50


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def endpoint_create(*, call, url: str, by) -> WebhookEndpoint:
    """A new active endpoint of the call with a fresh random secret; audited."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(call=call, url=url, created_by=by)
        audit_record(action="webhook.create", obj=endpoint, by=by, after={"url": url}, call_id=call.pk)
    return endpoint


def endpoint_set_active(*, endpoint: WebhookEndpoint, active: bool, by) -> WebhookEndpoint:
    """Switch deliveries to the endpoint on or off; audited."""
    endpoint.active = active
    endpoint.save(update_fields=["active"])
    audit_record(action="webhook.active", obj=endpoint, by=by, after={"active": active}, call_id=endpoint.call_id)
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint, by) -> None:
    """Remove an endpoint and its delivery log; audited."""
    with transaction.atomic():
        audit_record(action="webhook.delete", obj=endpoint, by=by, before={"url": endpoint.url},
                     call_id=endpoint.call_id)
        endpoint.delete()


def endpoint_test(*, endpoint: WebhookEndpoint, by) -> WebhookDelivery:
    """Send a signed « webhook.test » delivery now (born claimed, so the worker leaves it); logged like the others.

    A failed test is retried like any delivery, so the log shows when the receiver starts answering."""
    now = timezone.now()
    delivery = WebhookDelivery(endpoint=endpoint, event="webhook.test", dossier=None, attempts=1,
                               next_attempt_at=now + LEASE)
    delivery.body = json.dumps({"id": str(delivery.uuid), "event": delivery.event, "occurred_at": now.isoformat(),
                                "call": endpoint.call.slug}, ensure_ascii=False, sort_keys=True)
    with transaction.atomic():
        delivery.save()
        audit_record(action="webhook.test", obj=endpoint, by=by, after={"url": endpoint.url}, call_id=endpoint.call_id)
    return delivery_attempt(delivery=delivery, now=now)


def dossier_state_changed(*, dossier, by=None) -> int:
    """Queue a delivery of the new state to each active endpoint of the dossier's call (workflow ON_ANY)."""
    # The model's order within one call, without its join to the call (this runs in every deposit).
    endpoints = list(WebhookEndpoint.objects.filter(call_id=dossier.wave.call_id, active=True).order_by("-created_at"))
    if not endpoints:
        return 0
    now = timezone.now()
    rows = []
    for endpoint in endpoints:
        delivery = WebhookDelivery(endpoint=endpoint, event="dossier.state_changed", dossier=dossier,
                                   next_attempt_at=now)
        delivery.body = json.dumps({
            "id": str(delivery.uuid), "event": delivery.event, "occurred_at": now.isoformat(),
            "call": dossier.wave.call.slug, "wave": dossier.wave.slug,
            "dossier": {"uuid": str(dossier.uuid), "reference": dossier.reference, "state": dossier.state,
                        "url": f"/api/v1/dossiers/{dossier.uuid}"},
        }, ensure_ascii=False, sort_keys=True)
        rows.append(delivery)
    WebhookDelivery.objects.bulk_create(rows)
    return len(rows)


def _claim(delivery_id: int, attempts: int, now) -> bool:
    """Take the delivery for one attempt (conditional UPDATE: one worker wins); the lease covers a crash."""
    return bool(WebhookDelivery.objects.filter(
        pk=delivery_id, state=DeliveryState.PENDING, attempts=attempts, next_attempt_at__lte=now,
    ).update(attempts=attempts + 1, next_attempt_at=now + LEASE))


# A delivery is born pending (the field's default) and stays so between attempts; it ends delivered or failed.
DELIVERY_TRANSITIONS: dict[str, frozenset[str]] = {
    DeliveryState.PENDING: frozenset({DeliveryState.DELIVERED, DeliveryState.FAILED}),
    DeliveryState.DELIVERED: frozenset(),
    DeliveryState.FAILED: frozenset(),
}


class DeliveryTransitionError(Refusal):
    """A change of state the table does not allow."""


def delivery_transition(delivery: WebhookDelivery, to: str, *, fields=()) -> WebhookDelivery:
    """Move a claimed delivery to `to` if the table allows it; saved with the `fields` the caller set."""
    to = DeliveryState(to)
    if to not in DELIVERY_TRANSITIONS[delivery.state]:
        raise DeliveryTransitionError(
            f"Un envoi « {delivery.get_state_display()} » ne peut pas passer à l’état « {to.label} »."
        )
    delivery.state = to
    delivery.save(update_fields=["state", *fields])
    return delivery


def delivery_attempt(*, delivery: WebhookDelivery, now=None) -> WebhookDelivery:
    """POST the signed body once: delivered on 2xx, else retried after the back-off, failed after the last."""
    now = now or timezone.now()
    body = delivery.body.encode()
    headers = {"Content-Type": "application/json", "User-Agent": "Fabriques-Webhooks/1",
               SIGNATURE_HEADER: signature(delivery.endpoint.secret, body), "X-Fabriques-Delivery": str(delivery.uuid)}
    # The address is checked again here (and the socket's peer), redirects are not followed; the error kept is a
    # category, never the raw text (targets.py).
    status, category = post(delivery.endpoint.url, data=body, headers=headers, timeout=TIMEOUT)
    error = f"réponse HTTP {status}" if category == "http_status" else ERRORS[category] if category else ""
    delivery.last_status, delivery.last_error = status, error
    fields = ["last_status", "last_error", "delivered_at", "next_attempt_at"]
    if not error:
        delivery.delivered_at = timezone.now()
        delivery_transition(delivery, DeliveryState.DELIVERED, fields=fields)
    elif delivery.attempts > len(BACKOFF):
        delivery_transition(delivery, DeliveryState.FAILED, fields=fields)
    else:  # still pending: retried after the back-off
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
        delivery.save(update_fields=fields)
    return delivery


def deliveries_run_due(*, now=None) -> int:
    """Send every due delivery once (the worker calls this in a loop); returns how many were attempted."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now).select_related(
        "endpoint").order_by("next_attempt_at", "id")[:BATCH]
    sent = 0
    for delivery in list(due):
        if not _claim(delivery.pk, delivery.attempts, now):
            continue
        delivery.attempts += 1
        delivery_attempt(delivery=delivery, now=now)
        sent += 1
    return sent
