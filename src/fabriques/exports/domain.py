"""Export jobs: requested by an agent, claimed atomically by one worker, written through the storage API."""

from __future__ import annotations

import logging
import tempfile

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from fabriques.audit.domain import audit_record
from fabriques.exports import queries, writers
from fabriques.exports.enums import FILE_SUFFIX, ExportFormat, JobState
from fabriques.exports.models import ExportJob
from fabriques.refusal import Refusal

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 5000


class ExportError(Refusal):
    """An export that cannot be asked for; the message is for the person."""

    status, code = 403, "forbidden"  # the API's answer since it exists


def export_request(*, by, wave, fmt: str) -> ExportJob:
    """Queue an export of the wave for an agent allowed to export it (checked by the view or the API); audited."""
    if fmt not in ExportFormat.values:
        raise ExportError(f"Format inconnu : « {fmt} » (csv, xlsx ou ods).")
    with transaction.atomic():
        job = ExportJob.objects.create(requested_by=by, wave=wave, format=fmt,
                                       progress_total=queries.export_row_count(by, wave))
        audit_record(action="export.request", obj=job, by=by, after={"wave": wave.pk, "format": fmt},
                     call_id=wave.call_id)
    return job


WRITERS = {ExportFormat.CSV: writers.write_csv_zip, ExportFormat.XLSX: writers.write_xlsx,
           ExportFormat.ODS: writers.write_ods}


def export_write(*, by, wave, fmt: str, fileobj, progress=None) -> None:
    """Write the wave's export, scoped to what `by` may see, into a binary file object.

    `progress(n)` is called as rows are written (n rows since the last call), every block included.
    """
    WRITERS[ExportFormat(fmt)](queries.blocks(by, wave), fileobj, progress)


# A job is born queued (the field's default); the worker claims it, then it ends done or failed.
JOB_TRANSITIONS: dict[str, frozenset[str]] = {
    JobState.QUEUED: frozenset({JobState.RUNNING}),
    JobState.RUNNING: frozenset({JobState.DONE, JobState.FAILED}),
    JobState.DONE: frozenset(),
    JobState.FAILED: frozenset(),
}


def job_transition(job: ExportJob | int, to: str, **values) -> bool:
    """Move the job to `to` from a state the table allows, with `values`, in one conditional UPDATE; True when this
    call moved it (two workers never both claim a job). The instance given, if any, gets the new values."""
    to = JobState(to)
    sources = [state for state, targets in JOB_TRANSITIONS.items() if to in targets]
    pk = job.pk if isinstance(job, ExportJob) else job
    moved = bool(ExportJob.objects.filter(pk=pk, state__in=sources).update(state=to, **values))
    if moved and isinstance(job, ExportJob):
        job.state = to
        for name, value in values.items():
            setattr(job, name, value)
    return moved


def job_claim_next() -> ExportJob | None:
    """Take the oldest queued job so that no two workers ever run the same one.

    PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED. SQLite: a conditional UPDATE (state='queued') whose
    row count tells which worker won (SQLite serialises writers).
    """
    with transaction.atomic():
        queued = ExportJob.objects.filter(state=JobState.QUEUED).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            job = queued.select_for_update(skip_locked=True).first()
            if job is None:
                return None
            job_transition(job, JobState.RUNNING, started_at=timezone.now())
            job.refresh_from_db()
            return job
    for job_id in queued.values_list("id", flat=True)[:10]:
        if job_transition(job_id, JobState.RUNNING, started_at=timezone.now()):
            return ExportJob.objects.get(pk=job_id)
    return None


def job_run(*, job: ExportJob) -> ExportJob:
    """Write the job's file (rows done stored every PROGRESS_EVERY rows); done with its file, or failed."""
    counter = {"done": 0, "stored": 0}

    def progress(n: int) -> None:
        counter["done"] += n
        if counter["done"] - counter["stored"] >= PROGRESS_EVERY:
            ExportJob.objects.filter(pk=job.pk).update(progress_done=counter["done"])
            counter["stored"] = counter["done"]

    try:
        total = queries.export_row_count(job.requested_by, job.wave)
        ExportJob.objects.filter(pk=job.pk).update(progress_total=total)
        job.progress_total = total
        with tempfile.TemporaryFile() as tmp:
            export_write(by=job.requested_by, wave=job.wave, fmt=job.format, fileobj=tmp, progress=progress)
            tmp.seek(0)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            job.file.save(f"export-{job.wave.slug}-{stamp}-{job.pk}.{FILE_SUFFIX[job.format]}", File(tmp),
                          save=False)
    except Exception as exc:  # any failure is recorded on the job for the agent to see
        logger.exception("export job %s failed", job.pk)
        job_transition(job, JobState.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now())
        return job
    job_transition(job, JobState.DONE, file=job.file.name, finished_at=timezone.now(), progress_done=counter["done"],
                   progress_total=job.progress_total)
    return job


def jobs_run_pending(*, limit: int | None = None) -> int:
    """Run queued jobs one after the other until none is left (or `limit` ran); returns how many ran."""
    ran = 0
    while limit is None or ran < limit:
        job = job_claim_next()
        if job is None:
            break
        job_run(job=job)
        ran += 1
    return ran
