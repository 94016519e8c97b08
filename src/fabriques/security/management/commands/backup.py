"""`python -m fabriques backup [--output FILE]`: database and uploaded files in one tar.gz."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from fabriques.security.backup import backup_create


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers déposés dans une archive tar.gz avec un manifeste."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="fichier à écrire (par défaut var/backups/<date>.tar.gz)")

    def handle(self, *args, **options):
        output = options["output"] or (
            Path(settings.VAR_DIR) / "backups" / f"fabriques-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        )
        manifest = backup_create(output=output)
        rows = sum(manifest.tables.values())
        self.stdout.write(
            f"Sauvegarde écrite : {output} — {rows} lignes dans {len(manifest.tables)} tables, "
            f"{len(manifest.files)} fichiers."
        )
