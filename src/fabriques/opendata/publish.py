"""Publishing a call's open data on data.gouv.fr (API v1): `python -m fabriques publish-opendata --call SLUG`.

The dataset is made once by a person on data.gouv.fr (its owner, licence, description); this module keeps its
resources in step with Fabriques: laureates CSV and GeoJSON, their Table Schema, and when the follow-up has them,
the aggregated indicators and their schema. A resource is recognised by its title (the file name); a file whose
SHA-1 is the one data.gouv.fr holds is not uploaded again. Endpoints used, with the key in `X-API-KEY`:
`GET /api/1/datasets/{id}/`, `POST /api/1/datasets/{id}/upload/` (new resource, multipart `file`),
`POST /api/1/datasets/{id}/resources/{rid}/upload/` (new file of a resource),
`PUT /api/1/datasets/{id}/resources/{rid}/` (title, description, format, mime).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass

import requests
from django.conf import settings

from fabriques.followup.models import FollowupSettings
from fabriques.followup.opendata import COLUMNS, opendata_rows
from fabriques.followup.opendata_schema import TABLE_SCHEMA as INDICATOR_SCHEMA
from fabriques.opendata import queries
from fabriques.opendata.files import csv_lines, geojson_chunks
from fabriques.opendata.schema import TABLE_SCHEMA

TIMEOUT = (5, 120)  # connect, read (an upload of a large CSV)


class PublishError(Exception):
    """data.gouv.fr refused or could not be reached; the message is for the operator, in French."""


@dataclass(frozen=True)
class OpenFile:
    title: str  # the file name, which identifies the resource on data.gouv.fr
    content: bytes
    mime: str
    format: str
    description: str

    @property
    def sha1(self) -> str:
        return hashlib.sha1(self.content, usedforsecurity=False).hexdigest()  # data.gouv.fr's checksum


@dataclass(frozen=True)
class Change:
    title: str
    action: str  # "créée", "mise à jour", "métadonnées mises à jour", "inchangée"
    resource_id: str


def call_files(call) -> list[OpenFile]:
    """What is published for a call, built the way the site serves it."""
    laureates = queries.laureates().filter(wave__call=call)
    slug = call.slug
    schema = json.dumps(TABLE_SCHEMA, ensure_ascii=False, indent=2).encode()
    files = [
        OpenFile(f"laureats-{slug}.csv", "".join(csv_lines(laureates)).encode(), "text/csv", "csv",
                 f"Lauréats de « {call.title} » (décisions du comité appliquées) : lieu, commune, entrée, vague, "
                 f"montant accordé, coordonnées. Schéma : laureats-schema.json."),
        OpenFile(f"laureats-{slug}.geojson", "".join(geojson_chunks(laureates)).encode(), "application/geo+json",
                 "geojson", f"Lauréats de « {call.title} » en points (WGS 84)."),
        OpenFile("laureats-schema.json", schema, "application/json", "json",
                 "Table Schema (Frictionless) du fichier des lauréats."),
    ]
    files.extend(_indicator_files(call))
    return files


def _indicator_files(call) -> list[OpenFile]:
    """The follow-up's aggregated indicators, when the call has a follow-up."""
    if not FollowupSettings.objects.filter(call=call).exists():
        return []
    rows = opendata_rows(call)
    if not rows:
        return []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return [
        OpenFile(f"indicateurs-{call.slug}.csv", out.getvalue().encode(), "text/csv", "csv",
                 "Indicateurs des comptes rendus acceptés, additionnés par année et par entrée ou région. "
                 "Schéma : indicateurs-schema.json."),
        OpenFile("indicateurs-schema.json", json.dumps(INDICATOR_SCHEMA, ensure_ascii=False, indent=2).encode(),
                 "application/json", "json", "Table Schema (Frictionless) du fichier des indicateurs."),
    ]


class DataGouvClient:
    """The few calls of data.gouv.fr's API v1 this module needs."""

    def __init__(self, *, base_url: str, api_key: str):
        if not base_url.startswith(("https://", "http://")):
            raise PublishError("FABRIQUES_DATAGOUV_URL doit commencer par https://")
        self.base = base_url.rstrip("/") + "/api/1"
        self.session = requests.Session()
        self.session.headers.update({"X-API-KEY": api_key, "Accept": "application/json"})

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.session.request(method, self.base + path, timeout=TIMEOUT, allow_redirects=False,
                                            **kwargs)
        except requests.RequestException as exc:
            raise PublishError(f"data.gouv.fr injoignable ({type(exc).__name__}).") from exc
        if response.status_code in (401, 403):
            raise PublishError("data.gouv.fr refuse la clé d’API (FABRIQUES_DATAGOUV_API_KEY) pour ce jeu de données.")
        if response.status_code == 404:
            raise PublishError("Jeu de données introuvable sur data.gouv.fr : vérifiez son identifiant.")
        if response.status_code >= 400:
            raise PublishError(f"data.gouv.fr a répondu {response.status_code} : {response.text[:200]}")
        try:
            return response.json()
        except ValueError as exc:
            raise PublishError("Réponse illisible de data.gouv.fr.") from exc

    def dataset(self, dataset: str) -> dict:
        return self._call("GET", f"/datasets/{dataset}/")

    def upload_new(self, dataset: str, file: OpenFile) -> dict:
        return self._call("POST", f"/datasets/{dataset}/upload/", files={"file": (file.title, file.content, file.mime)})

    def upload_file(self, dataset: str, resource: str, file: OpenFile) -> dict:
        return self._call("POST", f"/datasets/{dataset}/resources/{resource}/upload/",
                          files={"file": (file.title, file.content, file.mime)})

    def update_metadata(self, dataset: str, resource: str, metadata: dict) -> dict:
        return self._call("PUT", f"/datasets/{dataset}/resources/{resource}/", json=metadata)


def _metadata(file: OpenFile) -> dict:
    return {"title": file.title, "description": file.description, "format": file.format, "mime": file.mime,
            "type": "main" if file.format in ("csv", "geojson") else "documentation"}


def _checksum(resource: dict) -> str:
    checksum = resource.get("checksum") or {}
    return checksum.get("value", "") if checksum.get("type", "sha1") == "sha1" else ""


def dataset_publish(*, client: DataGouvClient, dataset: str, files: list[OpenFile], dry_run: bool = False
                    ) -> list[Change]:
    """Create or update each file's resource; same SHA-1 → no upload; metadata put only when they differ."""
    existing = {r.get("title"): r for r in client.dataset(dataset).get("resources", [])}
    changes = []
    for file in files:
        resource = existing.get(file.title)
        wanted = _metadata(file)
        if resource is None:
            if not dry_run:
                resource = client.upload_new(dataset, file)
                client.update_metadata(dataset, resource["id"], wanted)
            changes.append(Change(file.title, "créée", (resource or {}).get("id", "")))
            continue
        action = "inchangée"
        if _checksum(resource) != file.sha1:
            if not dry_run:
                client.upload_file(dataset, resource["id"], file)
            action = "mise à jour"
        if any(resource.get(key) != value for key, value in wanted.items()):
            if not dry_run:
                client.update_metadata(dataset, resource["id"], wanted)
            if action == "inchangée":
                action = "métadonnées mises à jour"
        changes.append(Change(file.title, action, resource["id"]))
    return changes


def dataset_for(call_slug: str) -> str:
    """The data.gouv.fr dataset of a call from FABRIQUES_DATAGOUV_DATASETS ("slug=id,…"), or ""."""
    return settings.FABRIQUES_DATAGOUV_DATASETS.get(call_slug, "")
