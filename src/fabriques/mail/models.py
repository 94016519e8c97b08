"""The durable outbox: one row per e-mail, written in the transaction of the change it reports."""

from django.db import models

from fabriques.mail.enums import EmailState


class OutgoingEmail(models.Model):
    recipients = models.JSONField("destinataires", default=list)
    subject = models.CharField("objet", max_length=500)
    body = models.TextField("texte")
    reply_to = models.CharField("répondre à", max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(help_text="prochain essai ; pendant un envoi, fin du bail")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "courriel sortant"
        verbose_name_plural = "courriels sortants"
        # The worker's query: state = 'queued' AND next_attempt_at <= now ORDER BY next_attempt_at.
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="mail_due_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)} ({self.get_state_display()})"
