from django.db import models


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV (archive ZIP, un fichier par bloc)"
    XLSX = "xlsx", "Excel (XLSX, un onglet par bloc)"
    ODS = "ods", "OpenDocument (ODS, un onglet par bloc)"


class JobState(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Prêt"
    FAILED = "failed", "Échec"


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


CONTENT_TYPES = {
    ExportFormat.CSV: "application/zip",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.ODS: "application/vnd.oasis.opendocument.spreadsheet",
}

# The CSV export is a ZIP of one CSV per block (dossiers, answers, budget, ...).
FILE_SUFFIX = {ExportFormat.CSV: "csv.zip", ExportFormat.XLSX: "xlsx", ExportFormat.ODS: "ods"}
