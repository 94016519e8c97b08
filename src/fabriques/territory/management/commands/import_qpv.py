from pathlib import Path

from fabriques.territory.domain import qpv_import
from fabriques.territory.enums import QPV_VINTAGES
from fabriques.territory.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import QPV perimeters (GeoJSON in EPSG:4326) of one vintage: upsert by code, invalid geometries repaired, "
        "collapsed ones kept as points and reported. Other vintages are untouched; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--vintage", type=int, required=True, choices=QPV_VINTAGES)
        parser.add_argument("--force", action="store_true", help="import even if this file was already imported")

    def handle(self, *args, **options):
        self.run_import(qpv_import, path=options["file"], vintage=options["vintage"], force=options["force"])
