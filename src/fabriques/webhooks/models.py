"""Webhooks per call: endpoints and one delivery row per (endpoint, event), with its attempts."""

import secrets
import uuid

from django.conf import settings
from django.db import models

from fabriques.webhooks.enums import DeliveryState


def _secret() -> str:
    return secrets.token_hex(32)


class WebhookEndpoint(models.Model):
    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField("adresse de réception", max_length=500)
    secret = models.CharField(max_length=128, default=_secret, help_text="clé HMAC-SHA256 partagée avec le récepteur")
    active = models.BooleanField("actif", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "-created_at"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=60)
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(help_text="le JSON exact envoyé (et signé)")
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.get_state_display()})"
