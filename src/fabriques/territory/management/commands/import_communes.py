from pathlib import Path

from fabriques.territory.domain import communes_import
from fabriques.territory.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import communes with a point each (CSV: code_insee, nom, code_departement, code_region, latitude, longitude…; "
        "or INSEE's COG with --coordinates). Upserts by INSEE code; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--coordinates", type=Path, help="CSV of code_insee, latitude, longitude (for the COG)")
        parser.add_argument("--force", action="store_true", help="import even if this file was already imported")

    def handle(self, *args, **options):
        self.run_import(
            communes_import, path=options["file"], coordinates=options["coordinates"], force=options["force"]
        )
