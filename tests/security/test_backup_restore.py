"""Backup then restore gives back every row of every table and every uploaded file, byte for byte."""

import io
import re
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from fabriques.accounts.enums import Role
from fabriques.audit.domain import audit_record, audit_verify
from fabriques.audit.models import AuditEntry
from fabriques.security.backup import BackupError, backup_create, backup_restore, rows_snapshot

pytestmark = pytest.mark.django_db(transaction=True)

FILES = {
    "dossiers/1/budget prévisionnel.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40,
    "dossiers/1/statuts.odt": b"PK\x03\x04" + b"\x00\xff" * 5000,
    "dossiers/2/annexes/plan.png": b"\x89PNG\r\n\x1a\n" + b"\x01" * 3000,
    "lisez-moi.txt": "Données de test — accents é à ç\n".encode(),
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def populated(call, make_user):
    admin = make_user("admin@example.org", call=call, role=Role.ADMIN)
    make_user("instructeur@example.org", call=call, role=Role.INSTRUCTOR)
    make_user("porteuse@example.org")
    for action in ("call.loaded", "call.opened", "call.wave_added"):
        audit_record(action=action, obj=call, by=admin, after={"slug": call.slug}, call_id=call.pk)
    for name, content in FILES.items():
        assert default_storage.save(name, ContentFile(content)) == name
    return call


def _files() -> dict[str, bytes]:
    from fabriques.security.backup import _storage_names

    result = {}
    for name in _storage_names():
        with default_storage.open(name, "rb") as handle:
            result[name] = handle.read()
    return result


def _wipe():
    call_command("flush", interactive=False, verbosity=0)
    for name in _files():
        default_storage.delete(name)


def test_round_trip_restores_every_row_and_every_file(populated, tmp_path):
    rows_before, files_before = rows_snapshot(), _files()
    archive = tmp_path / "sauvegarde.tar.gz"

    manifest = backup_create(output=archive)
    _wipe()
    assert AuditEntry.objects.count() == 0
    assert _files() == {}
    restored = backup_restore(archive_path=archive)

    assert restored.tables == manifest.tables
    assert manifest.tables["audit.auditentry"] == 3
    assert manifest.tables["accounts.user"] == 3
    assert manifest.tables["accounts.callrole"] == 2
    assert sorted(manifest.files) == sorted(FILES)
    assert rows_snapshot() == rows_before
    assert _files() == files_before == FILES
    assert audit_verify().ok
    assert audit_verify().checked == 3
    # Sequences were reset: the chain goes on after a restore.
    audit_record(action="backup.restored", obj=populated)
    assert audit_verify().checked == 4


def test_the_archive_holds_a_manifest_with_counts_and_hashes(populated, tmp_path):
    import hashlib
    import json

    archive = tmp_path / "sauvegarde.tar.gz"
    backup_create(output=archive)

    with tarfile.open(archive, "r:gz") as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names == {"manifest.json", "database.json"} | {f"media/{name}" for name in FILES}
    assert manifest["format"] == 1
    assert manifest["files"] == {
        name: {"size": len(content), "sha256": hashlib.sha256(content).hexdigest()} for name, content in FILES.items()
    }
    assert manifest["tables"]["calls.call"] == 1


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(populated, tmp_path):
    archive = tmp_path / "sauvegarde.tar.gz"
    backup_create(output=archive)
    audit_record(action="after.backup", obj=populated)
    rows_before = rows_snapshot()

    with pytest.raises(BackupError, match="La base de données n’est pas vide"):
        backup_restore(archive_path=archive)

    assert rows_snapshot() == rows_before


def test_restore_with_force_replaces_the_current_content(populated, tmp_path):
    archive = tmp_path / "sauvegarde.tar.gz"
    rows_at_backup, files_at_backup = rows_snapshot(), _files()
    backup_create(output=archive)
    audit_record(action="after.backup", obj=populated)
    default_storage.save("dossiers/3/nouveau.pdf", ContentFile(b"%PDF new"))

    backup_restore(archive_path=archive, force=True)

    assert rows_snapshot() == rows_at_backup
    assert _files() == files_at_backup
    assert audit_verify().ok


def test_a_corrupted_archive_is_refused(populated, tmp_path):
    archive = tmp_path / "sauvegarde.tar.gz"
    backup_create(output=archive)
    tampered = tmp_path / "modifiee.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "media/lisez-moi.txt":
                data = b"contenu remplace"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    _wipe()

    with pytest.raises(BackupError, match=re.escape("« lisez-moi.txt » de l’archive ne correspond pas")):
        backup_restore(archive_path=tampered)


def test_backup_and_restore_commands(populated, tmp_path):
    archive = tmp_path / "cli.tar.gz"
    out = io.StringIO()
    call_command("backup", output=archive, stdout=out)
    assert out.getvalue().startswith(f"Sauvegarde écrite : {archive} — ")
    assert out.getvalue().strip().endswith(f"{len(FILES)} fichiers.")

    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive))
    out = io.StringIO()
    call_command("restore", str(archive), force=True, stdout=out)

    assert out.getvalue().strip().endswith("journal d’audit intègre (3 entrées).")
