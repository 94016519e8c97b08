"""Backup and restore: one tar.gz with the database content, the uploaded files and a manifest.

Archive layout:
    manifest.json   format, versions, row count per model, size and SHA-256 of every file
    database.json   Django serialisation of every row (natural keys for content types and
                    permissions, which `migrate` recreates), taken inside one read transaction
    media/<name>    every file of the default storage, read through Django's storage API

The database dump is consistent (one REPEATABLE READ transaction on PostgreSQL, one transaction on
SQLite). Files are copied after the dump: a file uploaded meanwhile may be in the archive without
its row (harmless); the manifest lists what was copied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.json"
MEDIA_PREFIX = "media/"
# Recreated by `migrate` on the target; rows that point to them are saved with natural keys.
EXCLUDED_MODELS = ("contenttypes.contenttype", "auth.permission")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in French."""


@dataclass
class Manifest:
    format: int
    created_at: str
    vendor: str
    tables: dict[str, int]
    files: dict[str, dict] = field(default_factory=dict)
    database_sha256: str = ""

    def as_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _storage_names(folder: str = "") -> list[str]:
    """Every file name in the default storage, recursively, sorted."""
    if folder and not default_storage.exists(folder):
        return []
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names.extend(_storage_names(f"{folder}/{sub}" if folder else sub))
    return sorted(names)


class _PreciseEncoder(DjangoJSONEncoder):
    """Django's encoder rounds datetimes to milliseconds; the audit chain hashes microseconds."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _dumped_models() -> list:
    app_list = {config: None for config in apps.get_app_configs() if config.models_module is not None}
    return [
        model for model in serializers.sort_dependencies(app_list.items(), allow_cycles=True)
        if model._meta.label_lower not in EXCLUDED_MODELS and not model._meta.proxy and model._meta.managed
    ]


def _dump_database(target: Path) -> dict[str, int]:
    """Serialise every row inside one read transaction; return the row count per model."""
    counts: Counter = Counter()

    def rows():
        for model in _dumped_models():
            for obj in model._base_manager.order_by(model._meta.pk.name).iterator(chunk_size=2000):
                counts[model._meta.label_lower] += 1
                yield obj

    with transaction.atomic(), target.open("w", encoding="utf-8") as stream:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        serializers.serialize(
            "json", rows(), stream=stream, cls=_PreciseEncoder, use_natural_foreign_keys=True,
        )
    return dict(sorted(counts.items()))


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _add_media(archive: tarfile.TarFile, name: str) -> dict:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle, tempfile.TemporaryFile() as copy:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
            copy.write(block)
        size = copy.tell()
        copy.seek(0)
        info = tarfile.TarInfo(MEDIA_PREFIX + name)
        info.size = size
        info.mtime = int(timezone.now().timestamp())
        archive.addfile(info, copy)
    return {"size": size, "sha256": digest.hexdigest()}


def backup_create(*, output: Path) -> Manifest:
    """Write a consistent archive of the database and the uploaded files; return its manifest."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / DATABASE
        tables = _dump_database(dump)
        manifest = Manifest(
            format=FORMAT, created_at=timezone.now().isoformat(), vendor=connection.vendor,
            tables=tables, database_sha256=_sha256_file(dump),
        )
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=DATABASE)
            for name in _storage_names():
                manifest.files[name] = _add_media(archive, name)
            _add_bytes(archive, MANIFEST, manifest.as_json())
        partial.replace(output)
    return manifest


def _read_member(archive: tarfile.TarFile, name: str) -> bytes:
    try:
        member = archive.getmember(name)
    except KeyError as exc:
        raise BackupError(f"L’archive ne contient pas « {name} » : ce n’est pas une sauvegarde Fabriques.") from exc
    handle = archive.extractfile(member)
    if handle is None:
        raise BackupError(f"« {name} » n’est pas un fichier dans l’archive.")
    return handle.read()


def _read_manifest(archive: tarfile.TarFile) -> Manifest:
    data = json.loads(_read_member(archive, MANIFEST))
    if data.get("format") != FORMAT:
        raise BackupError(f"Format de sauvegarde {data.get('format')} inconnu (attendu : {FORMAT}).")
    return Manifest(**data)


def _model_counts() -> dict[str, int]:
    excluded = set(EXCLUDED_MODELS)
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in excluded or model._meta.proxy or not model._meta.managed:
            continue
        counts[label] = model._default_manager.count()
    return counts


def database_is_empty() -> bool:
    return not any(_model_counts().values())


def _restore_database(archive: tarfile.TarFile, manifest: Manifest) -> None:
    data = _read_member(archive, DATABASE)
    if hashlib.sha256(data).hexdigest() != manifest.database_sha256:
        raise BackupError("Le contenu de la base dans l’archive ne correspond pas à son empreinte.")
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / DATABASE
        dump.write_bytes(data)
        call_command("loaddata", str(dump), verbosity=0)  # one transaction; resets sequences


def _restore_file(archive: tarfile.TarFile, name: str, expected: dict) -> None:
    content = _read_member(archive, MEDIA_PREFIX + name)
    if hashlib.sha256(content).hexdigest() != expected["sha256"]:
        raise BackupError(f"Le fichier « {name} » de l’archive ne correspond pas à son empreinte.")
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:
        raise BackupError(f"Le fichier « {name} » a été enregistré sous un autre nom (« {saved} »).")


def restore_check(manifest: Manifest) -> list[str]:
    """Compare the database and the storage with the manifest; return the differences, in French."""
    problems = []
    counts = _model_counts()
    for label in sorted(set(counts) | set(manifest.tables)):
        expected, found = manifest.tables.get(label, 0), counts.get(label, 0)
        if expected != found:
            problems.append(f"{label} : {found} lignes au lieu de {expected}")
    for name, expected in sorted(manifest.files.items()):
        if not default_storage.exists(name):
            problems.append(f"fichier manquant : {name}")
            continue
        digest = hashlib.sha256()
        with default_storage.open(name, "rb") as handle:
            for block in iter(lambda: handle.read(CHUNK), b""):
                digest.update(block)
        if digest.hexdigest() != expected["sha256"]:
            problems.append(f"fichier différent : {name}")
    return problems


def backup_restore(*, archive_path: Path, force: bool = False) -> Manifest:
    """Load an archive into an empty (or, with force, flushed) database and storage, then verify it."""
    with tarfile.open(Path(archive_path), "r:gz") as archive:
        manifest = _read_manifest(archive)
        if not database_is_empty():
            if not force:
                raise BackupError("La base de données n’est pas vide : relancez avec --force pour l’effacer.")
            call_command("flush", interactive=False, verbosity=0)
            for name in _storage_names():
                default_storage.delete(name)
        _restore_database(archive, manifest)
        for name, expected in sorted(manifest.files.items()):
            _restore_file(archive, name, expected)
    problems = restore_check(manifest)
    if problems:
        raise BackupError("Restauration incomplète : " + " ; ".join(problems))
    return manifest


def rows_snapshot() -> dict[str, list]:
    """Every row of every model, keyed by model, with natural keys for content types: for comparisons."""
    snapshot = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        if meta.label_lower in EXCLUDED_MODELS:
            snapshot[meta.label_lower] = sorted(obj.natural_key() for obj in model._default_manager.all())
            continue
        rows = model._default_manager.order_by("pk")
        snapshot[meta.label_lower] = serializers.serialize("python", rows, use_natural_foreign_keys=True)
    return snapshot
