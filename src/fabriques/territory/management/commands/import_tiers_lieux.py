from pathlib import Path

from fabriques.territory.domain import tiers_lieux_import
from fabriques.territory.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "Import the census of tiers-lieux (CSV with ID, NOM_TL, LAT, LONG…): upsert by ID; all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", action="store_true", help="import even if this file was already imported")

    def handle(self, *args, **options):
        self.run_import(tiers_lieux_import, path=options["file"], force=options["force"])
