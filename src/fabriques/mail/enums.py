import datetime as dt

from django.db import models


class EmailState(models.TextChoices):
    QUEUED = "queued", "À envoyer"
    SENT = "sent", "Envoyé"
    FAILED = "failed", "Échec définitif"


# Wait after the 1st, 2nd… failed attempt; the attempt after the last wait is the last one (then failed).
BACKOFF = (
    dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claimed e-mail is due again after this lease if its sender died before recording the outcome
# (well above the SMTP timeout, EMAIL_TIMEOUT = 15 s).
LEASE = dt.timedelta(minutes=5)
# A sent e-mail is kept this long (to answer "I never got it"), then deleted by `apply-retention`.
SENT_KEPT = dt.timedelta(days=30)
