"""Exports through the API: the write scope is required, the job runs, its file comes back."""

import io
import zipfile

import pytest

from fabriques.exports.domain import jobs_run_pending

pytestmark = pytest.mark.django_db


def auth(raw):
    return {"Authorization": f"Bearer {raw}"}


def test_read_only_token_cannot_ask_for_an_export(client, world, make_token):
    raw = make_token(world.admin, calls=[world.call])

    response = client.post("/api/v1/exports", {"call": world.call.slug, "wave": world.wave.slug, "format": "csv"},
                           content_type="application/json", headers=auth(raw))

    assert response.status_code == 403
    assert response.json()["code"] == "read_only"


def test_read_write_token_asks_follows_and_downloads_an_export(client, world, make_token, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    raw = make_token(world.admin, calls=[world.call], can_write=True)

    created = client.post("/api/v1/exports", {"call": world.call.slug, "wave": world.wave.slug, "format": "csv"},
                          content_type="application/json", headers=auth(raw))
    job_id = created.json()["id"]
    assert created.status_code == 202
    assert client.get(f"/api/v1/exports/{job_id}/file", headers=auth(raw)).json()["code"] == "not_ready"
    assert jobs_run_pending() == 1
    status = client.get(f"/api/v1/exports/{job_id}", headers=auth(raw)).json()
    data = b"".join(client.get(status["file"], headers=auth(raw)).streaming_content)

    assert status["state"] == "done"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        dossiers = archive.read("dossiers.csv").decode("utf-8-sig")
    assert len(dossiers.splitlines()) == 4


def test_write_token_on_another_call_or_of_an_evaluator_is_refused(client, world, make_token, other_call):
    evaluator_raw = make_token(world.evaluator, calls=[world.call], can_write=True)
    body = {"call": world.call.slug, "wave": world.wave.slug, "format": "xlsx"}

    refused = client.post("/api/v1/exports", body, content_type="application/json", headers=auth(evaluator_raw))
    other = client.post("/api/v1/exports", {**body, "call": other_call.slug}, content_type="application/json",
                        headers=auth(evaluator_raw))

    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert (other.status_code, other.json()["code"]) == (403, "call_out_of_scope")
