import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fabriques.calls.models import Call
from fabriques.territory.batch import BatchError, batch_check, batch_parse
from fabriques.territory.enums import QPV_VINTAGES
from fabriques.territory.locate import locate


class Command(BaseCommand):
    help = (
        "Locate a place and print JSON: commune, département, région, QPV (inside, nearest code, distance in metres), "
        "tiers-lieux nearby. From --lat/--lon, --address (when FABRIQUES_BAN_URL is set) or --commune (approximate). "
        "With --csv FILE (columns id and latitude/longitude, or id and code_insee, or id and adresse), writes one "
        "CSV line per place (semicolons) with the verdict of each geographic rule of --call."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lat", type=float)
        parser.add_argument("--lon", type=float)
        parser.add_argument("--commune", help="INSEE code of the commune")
        parser.add_argument("--address", help="postal address, geocoded through BAN when FABRIQUES_BAN_URL is set")
        parser.add_argument("--vintage", type=int, default=2024, choices=QPV_VINTAGES, help="QPV vintage")
        parser.add_argument("--radius", type=int, default=20000, help="tiers-lieux radius in metres")
        parser.add_argument("--csv", type=Path, help="CSV of places to check at once ('-' reads standard input)")
        parser.add_argument("--call", help="slug of the call whose rules give verdicts (its QPV vintage and radius)")
        parser.add_argument("--output", type=Path, help="where to write the CSV result (default: standard output)")

    def handle(self, *args, **options):
        if options["csv"] is not None:
            return self._batch(options)
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

    def _batch(self, options) -> None:
        call = None
        if options["call"]:
            call = Call.objects.filter(slug=options["call"]).first()
            if call is None:
                known = ", ".join(Call.objects.values_list("slug", flat=True)) or "aucun"
                raise CommandError(f"appel « {options['call']} » inconnu (appels : {known}).")
        path = options["csv"]
        try:
            text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path} : lecture impossible ({getattr(exc, 'strerror', None) or exc}).") from None
        try:
            places = batch_parse(text)
        except BatchError as exc:
            raise CommandError(f"{path.name} : {exc}") from None
        result = batch_check(places, call=call, vintage=options["vintage"], radius_m=options["radius"])
        if options["output"]:
            options["output"].write_text(result.as_csv(), encoding="utf-8")
        else:
            self.stdout.write(result.as_csv(), ending="")
        summary = ", ".join(f"{label} {count}" for label, count in result.counts.items() if count)
        self.stderr.write(f"{len(places)} lieux vérifiés{' : ' + summary if summary else ''}.")
