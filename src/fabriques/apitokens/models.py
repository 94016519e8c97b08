"""API tokens of agents: scoped to calls, read-only or read-write, expiring, revocable.

Only the SHA-256 of a token is stored; the token itself is shown once, at creation.
Rate limits are counted in `ApiRateWindow` (one row per token and minute), in the database so
that every application server shares the same counters.
"""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nom", max_length=100)
    calls = models.ManyToManyField("calls.Call", related_name="+", verbose_name="appels")
    can_write = models.BooleanField("lecture et écriture", default=False)
    prefix = models.CharField(max_length=12, help_text="début du jeton, pour le reconnaître")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["owner", "-created_at"]
        verbose_name = "jeton d’API"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now


class ApiRateWindow(models.Model):
    """Requests of one token in one fixed window (the minute it starts)."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "window_start"], name="unique_rate_window")]
