"""Agents' export jobs through the API: ask for one (read-write token), follow it, download its file."""

import datetime as dt

from django.http import FileResponse
from ninja import Router, Schema, Status

from fabriques.api.auth import ERRORS, TokenAuth, require_call, require_capability, require_write
from fabriques.api.errors import ApiError
from fabriques.api.schemas import ErrorOut
from fabriques.calls.models import Wave
from fabriques.exports import domain
from fabriques.exports.enums import CONTENT_TYPES, ExportFormat
from fabriques.exports.models import ExportJob

router = Router(tags=["Exports (agents)"], auth=TokenAuth())
ERROR_RESPONSES = dict.fromkeys(ERRORS, ErrorOut)


class ExportIn(Schema):
    call: str
    wave: str
    format: ExportFormat


class ExportJobOut(Schema):
    id: int
    state: str
    format: str
    progress_done: int
    progress_total: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    error: str
    file: str | None


def _job_out(job: ExportJob) -> dict:
    return {
        "id": job.pk, "state": job.state, "format": job.format, "progress_done": job.progress_done,
        "progress_total": job.progress_total, "created_at": job.created_at, "finished_at": job.finished_at,
        "error": job.error, "file": f"/api/v1/exports/{job.pk}/file" if job.file else None,
    }


@router.post("/exports", response={202: ExportJobOut, **ERROR_RESPONSES}, summary="Demander un export d’une vague")
def create_export(request, payload: ExportIn):
    require_write(request)
    require_call(request, payload.call)
    wave = Wave.objects.select_related("call").filter(call__slug=payload.call, slug=payload.wave).first()
    if wave is None:
        raise ApiError(404, "not_found", f"Aucune vague « {payload.wave} » dans l’appel « {payload.call} ».")
    require_capability(request, "export.run", wave, "Vous ne pouvez pas exporter les dossiers de cet appel.")
    job = domain.export_request(by=request.auth.owner, wave=wave, fmt=payload.format)  # ExportError: 403
    return Status(202, _job_out(job))


def _own_job(request, job_id: int) -> ExportJob:
    job = ExportJob.objects.filter(pk=job_id, requested_by=request.auth.owner,
                                   wave__call__in=request.auth.calls.values("id")).first()
    if job is None:
        raise ApiError(404, "not_found", "Aucun export avec cet identifiant pour ce jeton.")
    return job


@router.get("/exports/{job_id}", response={200: ExportJobOut, **ERROR_RESPONSES}, summary="État d’un export")
def get_export(request, job_id: int):
    return Status(200, _job_out(_own_job(request, job_id)))


@router.get("/exports/{job_id}/file", response={200: None, **ERROR_RESPONSES}, summary="Fichier d’un export prêt")
def get_export_file(request, job_id: int):
    job = _own_job(request, job_id)
    if not job.file:
        raise ApiError(404, "not_ready", "L’export n’est pas encore prêt.")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1],
                        content_type=CONTENT_TYPES[job.format])
