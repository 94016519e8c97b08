import json

from django.core.management.base import BaseCommand, CommandError

from fabriques.territory.enums import QPV_VINTAGES
from fabriques.territory.locate import locate


class Command(BaseCommand):
    help = (
        "Locate a place and print JSON: commune, département, région, QPV (inside, nearest code, distance in metres), "
        "tiers-lieux nearby. From --lat/--lon, --address (when FABRIQUES_BAN_URL is set) or --commune (approximate)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lat", type=float)
        parser.add_argument("--lon", type=float)
        parser.add_argument("--commune", help="INSEE code of the commune")
        parser.add_argument("--address", help="postal address, geocoded through BAN when FABRIQUES_BAN_URL is set")
        parser.add_argument("--vintage", type=int, default=2024, choices=QPV_VINTAGES, help="QPV vintage")
        parser.add_argument("--radius", type=int, default=20000, help="tiers-lieux radius in metres")

    def handle(self, *args, **options):
        lat, lon = options["lat"], options["lon"]
        if (lat is None) != (lon is None):
            raise CommandError("--lat et --lon vont ensemble.")
        if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise CommandError("--lat doit être entre -90 et 90, --lon entre -180 et 180 (degrés WGS84).")
        if lat is None and not options["commune"] and not options["address"]:
            raise CommandError("indiquez --lat et --lon, --address ou --commune.")
        location = locate(
            latitude=lat, longitude=lon, address=options["address"], commune_code=options["commune"],
            qpv_vintage=options["vintage"], tiers_lieux_radius_m=options["radius"],
        )
        self.stdout.write(json.dumps(location.as_dict(), ensure_ascii=False, indent=2))
