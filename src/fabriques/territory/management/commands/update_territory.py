from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fabriques.territory.refresh import SOURCES, territory_update
from fabriques.territory.sources import ImportFileError


class Command(BaseCommand):
    help = (
        "Refresh the reference data (communes, QPV, census of tiers-lieux) from its public sources: download, check "
        "(size, compression, published SHA-256, format), import all datasets together or none, report what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("datasets", nargs="*", metavar="JEU", help=f"parmi {', '.join(SOURCES)} (défaut : tous)")
        parser.add_argument("--from", dest="directory", type=Path, help="dossier local (même organisation que "
                            "src/fabriques/territory/reference, fichiers compressés ou non) au lieu du réseau")
        parser.add_argument("--base-url", help="miroir organisé comme le dossier reference/ (avec SHA256SUMS)")
        parser.add_argument("--url", action="append", default=[], metavar="JEU=URL",
                            help="adresse d’un jeu de données (fichier, .gz ou archive ZIP), répétable")

    def handle(self, *args, **options):
        urls = {}
        for item in options["url"]:
            dataset, sep, url = item.partition("=")
            if not sep or not url:
                raise CommandError(f"--url {item} : JEU=URL attendu, par exemple qpv-2024=https://…")
            urls[dataset] = url
        try:
            changes = territory_update(datasets=options["datasets"] or None, directory=options["directory"],
                                       base_url=options["base_url"], urls=urls)
        except ImportFileError as exc:
            raise CommandError(f"mise à jour refusée, les données précédentes sont conservées.\n{exc}") from None
        for change in changes:
            for line in change.lines():
                self.stdout.write(line)
