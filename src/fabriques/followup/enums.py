"""States and kinds of the follow-up: agreements, tranches, yearly reports, indicators."""

from django.db import models


class AgreementState(models.TextChoices):
    DRAFT = "draft", "Projet de convention"
    SENT = "sent", "Envoyée pour signature"
    SIGNED = "signed", "Signée"
    IN_FORCE = "in_force", "En vigueur"
    CLOSED = "closed", "Soldée"
    TERMINATED = "terminated", "Résiliée"


class TrancheState(models.TextChoices):
    WAITING = "waiting", "En attente de sa condition"
    DUE = "due", "Due"
    REQUESTED = "requested", "Mise en paiement demandée"
    PAID = "paid", "Payée"
    CANCELLED = "cancelled", "Annulée"


class ReportState(models.TextChoices):
    TO_FILL = "to_fill", "À remplir"
    DEPOSITED = "deposited", "Déposé"
    CHANGES_REQUESTED = "changes_requested", "Modifications demandées"
    ACCEPTED = "accepted", "Accepté"


class IndicatorKind(models.TextChoices):
    INTEGER = "integer", "Nombre entier"
    DECIMAL = "decimal", "Nombre décimal"
    MONEY = "money", "Montant (€)"
    CHOICE = "choice", "Choix"
    TEXT = "text", "Texte"


class Release(models.TextChoices):
    SIGNATURE = "signature", "À la signature de la convention"
    REPORT = "report", "Après acceptation du compte rendu"


class ReportSection(models.TextChoices):
    INDICATORS = "indicators", "Indicateurs de pilotage"
    FINANCIAL = "financial", "Compte rendu financier"
    ATTACHMENTS = "attachments", "Pièces jointes"
    GENERAL = "general", "Remarque générale"


LIVE_AGREEMENT_STATES = frozenset({AgreementState.SIGNED, AgreementState.IN_FORCE})
ENDED_AGREEMENT_STATES = frozenset({AgreementState.CLOSED, AgreementState.TERMINATED})
OPEN_TRANCHE_STATES = frozenset({TrancheState.WAITING, TrancheState.DUE, TrancheState.REQUESTED})
APPLICANT_EDITABLE_REPORT_STATES = frozenset({ReportState.TO_FILL, ReportState.CHANGES_REQUESTED})
NUMERIC_KINDS = frozenset({IndicatorKind.INTEGER, IndicatorKind.DECIMAL, IndicatorKind.MONEY})
REPORT_FILE_TYPES = ("pdf", "png", "jpg", "odt", "docx", "ods", "xlsx")
SIGNED_COPY_TYPES = ("pdf", "png", "jpg")
MAX_UPLOAD_MB = 20
