"""Background export jobs: claimed atomically by `python -m fabriques run-jobs`, file kept in the storage."""

from django.conf import settings
from django.db import models

from fabriques.exports.enums import ExportFormat, JobState


class ExportJob(models.Model):
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    wave = models.ForeignKey("calls.Wave", on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=5, choices=ExportFormat.choices)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED, db_index=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.format}, {self.get_state_display()})"

    @property
    def percent(self) -> int:
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0
