"""The list of background exports as a fragment (polled by exports/progress.js): rows done / total, link when ready."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabriques.exports import domain
from fabriques.exports.enums import JobState
from fabriques.exports.models import ExportJob

pytestmark = pytest.mark.django_db


def jobs_url(world):
    return reverse("exports:jobs", args=[world.call.slug, world.wave.slug])


@pytest.mark.parametrize(("who", "status"), [
    (None, 302), ("applicant", 403), ("other_applicant", 403), ("evaluator", 403),
    ("instructor", 200), ("other_instructor", 200), ("committee", 200), ("admin", 200),
])
def test_jobs_fragment_per_role(client, world, who, status):
    if who:
        client.force_login(getattr(world, who))

    assert client.get(jobs_url(world)).status_code == status


def test_running_job_shows_rows_done_of_total_and_keeps_polling(client, world):
    job = domain.export_request(by=world.admin, wave=world.wave, fmt="xlsx")
    ExportJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, progress_done=12, progress_total=48)
    client.force_login(world.admin)

    html = client.get(jobs_url(world)).content.decode()

    assert 'data-active="1"' in html
    assert '<progress max="100" value="25"' in html
    assert "25 % — 12 / 48 lignes" in html
    assert "Télécharger" not in html
    assert "1 export en cours." in html


def test_finished_job_stops_polling_and_offers_its_file(client, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    job = domain.export_request(by=world.admin, wave=world.wave, fmt="csv")
    call_command("run_jobs", "--once", stdout=io.StringIO())
    job.refresh_from_db()
    client.force_login(world.admin)

    html = client.get(jobs_url(world)).content.decode()

    assert 'data-active="0"' in html
    assert f"100 % — {job.progress_total} / {job.progress_total} lignes" in html
    assert reverse("exports:job-download", args=[job.pk]) in html
    assert "Vos exports sont terminés." in html


def test_an_agent_sees_only_their_own_jobs(client, world):
    domain.export_request(by=world.admin, wave=world.wave, fmt="csv")
    client.force_login(world.committee)

    html = client.get(jobs_url(world)).content.decode()

    assert "Aucun export lancé." in html
    assert "<table" not in html


def test_jobs_fragment_query_count_does_not_grow_with_jobs(client, world):
    client.force_login(world.admin)
    domain.export_request(by=world.admin, wave=world.wave, fmt="csv")
    with CaptureQueriesContext(connection) as one:
        client.get(jobs_url(world))
    for fmt in ("xlsx", "ods", "csv", "xlsx"):
        domain.export_request(by=world.admin, wave=world.wave, fmt=fmt)

    with CaptureQueriesContext(connection) as five:
        response = client.get(jobs_url(world))

    assert response.content.decode().count("<tr id=\"export-job-") == 5
    assert len(five) == len(one)
