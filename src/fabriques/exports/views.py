"""Agents' export page: direct download for small waves, background jobs with progress for large ones."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fabriques.accounts.capabilities import require
from fabriques.calls.models import Wave
from fabriques.exports import domain, queries
from fabriques.exports.enums import ACTIVE_STATES, CONTENT_TYPES, FILE_SUFFIX, ExportFormat
from fabriques.exports.models import ExportJob
from fabriques.exports.worker import worker_backlog


def _wave(request, call_slug: str, wave_slug: str) -> Wave:
    wave = get_object_or_404(Wave.objects.select_related("call"), call__slug=call_slug, slug=wave_slug)
    require(request.user, "export.run", wave.call)
    return wave


def _jobs_context(request, wave) -> dict:
    jobs = list(queries.jobs_of(request.user, wave))
    return {"wave": wave, "jobs": jobs, "active": sum(job.state in ACTIVE_STATES for job in jobs)}


@login_required
def wave_exports(request, call_slug: str, wave_slug: str):
    wave = _wave(request, call_slug, wave_slug)
    count = queries.export_queryset(request.user, wave).count()
    return render(request, "exports/wave.html", {
        "count": count, "formats": ExportFormat.choices, "direct": count <= settings.FABRIQUES_EXPORT_SYNC_MAX,
        "backlog": worker_backlog(), **_jobs_context(request, wave),
    })


@login_required
def wave_jobs(request, call_slug: str, wave_slug: str):
    """The list of the agent's exports of the wave alone, fetched again by exports/progress.js while one runs."""
    wave = _wave(request, call_slug, wave_slug)
    return render(request, "exports/_jobs.html", _jobs_context(request, wave))


@login_required
def wave_download(request, call_slug: str, wave_slug: str, fmt: str):
    wave = _wave(request, call_slug, wave_slug)
    if fmt not in ExportFormat.values:
        raise Http404
    if queries.export_queryset(request.user, wave).count() > settings.FABRIQUES_EXPORT_SYNC_MAX:
        messages.info(request, "Cet export est volumineux : lancez-le en tâche de fond.")
        return redirect("exports:wave", call_slug=call_slug, wave_slug=wave_slug)
    filename = f"dossiers-{wave.call.slug}-{wave.slug}.{FILE_SUFFIX[fmt]}"
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    domain.export_write(by=request.user, wave=wave, fmt=fmt, fileobj=tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt])


@login_required
@require_POST
def job_create(request, call_slug: str, wave_slug: str):
    wave = _wave(request, call_slug, wave_slug)
    try:
        domain.export_request(by=request.user, wave=wave, fmt=request.POST.get("format", ""))
    except domain.ExportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Export lancé : il apparaît ci-dessous et sera téléchargeable une fois prêt.")
    return redirect("exports:wave", call_slug=call_slug, wave_slug=wave_slug)


@login_required
def job_download(request, pk: int):
    job = ExportJob.objects.filter(pk=pk, requested_by=request.user).select_related("wave").first()
    if job is None or not job.file:
        raise Http404
    name = job.file.name.rsplit("/", 1)[-1]
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES[job.format])
