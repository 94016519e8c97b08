import datetime as dt

from django.db import models


class DeliveryState(models.TextChoices):
    PENDING = "pending", "À envoyer"
    DELIVERED = "delivered", "Livré"
    FAILED = "failed", "Échec définitif"


# Wait after the 1st, 2nd… failed attempt; after the last one the delivery is failed.
BACKOFF = (
    dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
# A claimed delivery is retried after this lease if its worker died while sending.
LEASE = dt.timedelta(minutes=5)
