from django.db import models


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV (dossiers, une ligne par dossier)"
    XLSX = "xlsx", "Excel (XLSX, un onglet par bloc)"
    ODS = "ods", "OpenDocument (ODS, un onglet par bloc)"


class JobState(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Prêt"
    FAILED = "failed", "Échec"


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.ODS: "application/vnd.oasis.opendocument.spreadsheet",
}
