"""publish-opendata against a local server implementing data.gouv.fr's endpoints: creates, then nothing to do,
then updates only what changed; clear French errors without key, dataset or access."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.opendata.datagouv_server import API_KEY, DataGouv

pytestmark = pytest.mark.django_db


@pytest.fixture
def datagouv(settings):
    server = DataGouv()
    settings.FABRIQUES_DATAGOUV_URL = server.url
    settings.FABRIQUES_DATAGOUV_API_KEY = API_KEY
    settings.FABRIQUES_DATAGOUV_DATASETS = {}
    yield server
    server.stop()


def publish(call, *args) -> list[str]:
    out = io.StringIO()
    call_command("publish_opendata", "--call", call.slug, *args, stdout=out)
    return out.getvalue().splitlines()


def test_first_run_creates_every_resource_with_its_metadata(world, datagouv):
    slug = world.call.slug
    lines = publish(world.call, "--dataset", datagouv.dataset_id)
    titles = [f"laureats-{slug}.csv", f"laureats-{slug}.geojson", "laureats-schema.json"]
    assert lines == [*(f"{t} : créée" for t in titles),
                     f"3 ressource(s) modifiée(s) sur 3, jeu de données {datagouv.dataset_id}."]
    by_title = {r["title"]: r for r in datagouv.resources}
    assert list(by_title) == titles
    assert (by_title[titles[0]]["format"], by_title[titles[0]]["mime"]) == ("csv", "text/csv")
    rows = list(csv.DictReader(io.StringIO(datagouv.files[by_title[titles[0]]["id"]].decode())))
    assert [r["reference"] for r in rows] == [world.laureate.reference]
    geojson = json.loads(datagouv.files[by_title[titles[1]]["id"]])
    assert [f["properties"]["reference"] for f in geojson["features"]] == [world.laureate.reference]
    schema = json.loads(datagouv.files[by_title[titles[2]]["id"]])
    assert schema["primaryKey"] == ["reference"]


def test_a_second_run_uploads_nothing_and_a_change_uploads_only_that_file(world, datagouv, settings):
    settings.FABRIQUES_DATAGOUV_DATASETS = {world.call.slug: datagouv.dataset_id}
    publish(world.call)
    datagouv.calls.clear()
    lines = publish(world.call)
    assert lines[-1] == f"0 ressource(s) modifiée(s) sur 3, jeu de données {datagouv.dataset_id}."
    assert datagouv.calls == [("GET", f"/api/1/datasets/{datagouv.dataset_id}/")]

    from fabriques.committee.models import Decision

    Decision.objects.filter(dossier=world.laureate).update(amount_eur=45_000)
    csv_id = next(r["id"] for r in datagouv.resources if r["title"].endswith(".csv"))
    datagouv.calls.clear()
    lines = publish(world.call)
    assert lines[0] == f"laureats-{world.call.slug}.csv : mise à jour"
    assert lines[1:3] == [f"laureats-{world.call.slug}.geojson : mise à jour", "laureats-schema.json : inchangée"]
    assert ("POST", f"/api/1/datasets/{datagouv.dataset_id}/resources/{csv_id}/upload/") in datagouv.calls
    assert not any(path.endswith("/upload/") and "resources" not in path for _, path in datagouv.calls)
    assert len(datagouv.resources) == 3
    assert b"45000" in datagouv.files[csv_id]


def test_metadata_edited_on_data_gouv_are_put_back(world, datagouv):
    publish(world.call, "--dataset", datagouv.dataset_id)
    datagouv.resources[2]["description"] = "modifiée à la main"
    lines = publish(world.call, "--dataset", datagouv.dataset_id)
    assert lines[2] == "laureats-schema.json : métadonnées mises à jour"
    assert datagouv.resources[2]["description"] == "Table Schema (Frictionless) du fichier des lauréats."


def test_dry_run_sends_nothing(world, datagouv):
    lines = publish(world.call, "--dataset", datagouv.dataset_id, "--dry-run")
    assert lines[0] == f"(essai) laureats-{world.call.slug}.csv : créée"
    assert datagouv.resources == []
    assert [m for m, _ in datagouv.calls] == ["GET"]


def test_errors_are_clear(world, datagouv, settings):
    with pytest.raises(CommandError, match="Aucun jeu de données : passez --dataset"):
        publish(world.call)
    with pytest.raises(CommandError, match=r"Jeu de données introuvable sur data\.gouv\.fr"):
        publish(world.call, "--dataset", "inconnu")
    settings.FABRIQUES_DATAGOUV_API_KEY = "mauvaise-cle"
    with pytest.raises(CommandError, match="refuse la clé d’API"):
        publish(world.call, "--dataset", datagouv.dataset_id)
    settings.FABRIQUES_DATAGOUV_API_KEY = ""
    with pytest.raises(CommandError, match="FABRIQUES_DATAGOUV_API_KEY n’est pas réglée"):
        publish(world.call, "--dataset", datagouv.dataset_id)
    settings.FABRIQUES_DATAGOUV_API_KEY, settings.FABRIQUES_DATAGOUV_URL = API_KEY, "http://127.0.0.1:9"
    with pytest.raises(CommandError, match=r"data\.gouv\.fr injoignable"):
        publish(world.call, "--dataset", datagouv.dataset_id)
    with pytest.raises(CommandError, match="Appel « inconnu » introuvable"):
        call_command("publish_opendata", "--call", "inconnu")
