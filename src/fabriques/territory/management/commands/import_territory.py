from pathlib import Path

from django.core.management.base import CommandError

from fabriques.territory.domain import territory_import_dir
from fabriques.territory.management.commands._importing import ImportCommand
from fabriques.territory.sources import REFERENCE_DIR, ImportFileError


class Command(ImportCommand):
    help = (
        "Import every reference file found in a folder (communes CSV, qpv*2015*/qpv*2024* GeoJSON, tiers-lieux CSV, "
        "each possibly .gz); by default the reference data shipped with Fabriques. A file already imported (same "
        "content SHA-256) is skipped. A missing folder is not an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="directory", type=Path, default=REFERENCE_DIR)

    def handle(self, *args, **options):
        directory = options["directory"]
        if not directory.is_dir():
            self.stdout.write(f"{directory} : dossier absent, aucune donnée territoriale importée.")
            return
        try:
            reports = territory_import_dir(directory=directory, progress=self.verbosity > 0)
        except ImportFileError as exc:
            raise CommandError(f"import interrompu, les données précédentes sont conservées.\n{exc}") from None
        if not reports:
            self.stdout.write(f"{directory} : aucun fichier de référence trouvé.")
        for report in reports:
            self.write_report(report)
