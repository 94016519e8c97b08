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
    # How many OutgoingAttachment rows: the sender reads them only for the e-mails that have some.
    attachment_count = models.PositiveSmallIntegerField("pièces jointes", default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "courriel sortant"
        verbose_name_plural = "courriels sortants"
        # The worker's query: state = 'queued' AND next_attempt_at <= now ORDER BY next_attempt_at.
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="mail_due_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)} ({self.get_state_display()})"


class OutgoingAttachment(models.Model):
    """A file sent with an outbox e-mail, stored through the storage API.

    Either the file is there when the e-mail is queued (a committee letter: `file` names the stored letter), or a
    registered renderer draws it at the first sending attempt (`renderer` + `renderer_key`: the proof of deposit,
    whose PDF costs about a second) and the file is stored then, so a retry sends the same bytes.
    """

    email = models.ForeignKey(OutgoingEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField("nom", max_length=200)
    content_type = models.CharField(max_length=100, default="application/pdf")
    file = models.FileField(upload_to="outbox/%Y/", blank=True, max_length=300)
    renderer = models.CharField(max_length=60, blank=True)
    renderer_key = models.CharField(max_length=100, blank=True)
    owned = models.BooleanField(default=False, help_text="file written by the outbox (deleted with the e-mail)")

    class Meta:
        ordering = ["email", "id"]
        verbose_name = "pièce jointe sortante"
        verbose_name_plural = "pièces jointes sortantes"

    def __str__(self) -> str:
        return self.filename
