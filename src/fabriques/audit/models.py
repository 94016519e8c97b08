"""The audit log: append-only, hash-chained rows. Written only by `audit.domain.audit_record`."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who did what, when, to which object, with the previous and new values.

    `entry_hash` = SHA-256 over the previous entry's hash and this entry's canonical content,
    so editing or deleting any row breaks the chain from there on (`audit_verify`).
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, help_text="e-mail at the time, kept if the user is deleted")
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    dossier_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    call_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "entrée du journal d’audit"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"
