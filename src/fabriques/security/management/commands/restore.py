"""`python -m fabriques restore FILE [--force]`: load a backup, then verify counts, hashes and the audit chain."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from fabriques.audit.domain import audit_verify
from fabriques.security.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restaure une sauvegarde dans une base vide (ou effacée avec --force) et vérifie son contenu."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true", help="efface d’abord la base et les fichiers existants")

    def handle(self, *args, **options):
        if not options["archive"].is_file():
            raise CommandError(f"Archive introuvable : {options['archive']}")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            manifest = backup_restore(archive_path=options["archive"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        chain = audit_verify()
        if not chain.ok:
            raise CommandError(f"Journal d’audit restauré mais altéré à l’entrée {chain.first_broken_id}.")
        self.stdout.write(
            f"Restauration vérifiée : {sum(manifest.tables.values())} lignes, {len(manifest.files)} fichiers, "
            f"journal d’audit intègre ({chain.checked} entrées)."
        )
