from django.db import models


class Outcome(models.TextChoices):
    LAUREATE = "laureate", "Lauréat"
    WAITING_LIST = "waiting_list", "Liste d’attente"
    NOT_RETAINED = "not_retained", "Non retenu"


class PinChoice(models.TextChoices):
    FORCE_IN = "force_in", "Retenir d’office"
    FORCE_OUT = "force_out", "Écarter"


class OutboxState(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SENT = "sent", "Envoyé"
