from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fabriques.calls.definition import DefinitionError
from fabriques.calls.domain import DEFINITIONS_DIR, call_load_file


class Command(BaseCommand):
    help = "Validate and load a call definition (TOML). Loads all of it or nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help=f"path to a .toml file, or the name of one in {DEFINITIONS_DIR}",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists() and (DEFINITIONS_DIR / path.name).exists():
            path = DEFINITIONS_DIR / path.name
        try:
            result = call_load_file(path=path)
        except DefinitionError as exc:
            raise CommandError(f"nothing was loaded:\n{exc}") from None
        call = result.call
        if not result.changed:
            self.stdout.write(f"{call.slug}: unchanged (same file already loaded)")
            return
        verb = "created" if result.created else "updated"
        self.stdout.write(self.style.SUCCESS(
            f"{call.slug}: {verb} — {call.tracks.count()} tracks, {call.criteria.count()} criteria, "
            f"{call.waves.count()} waves, {call.attachments.count()} attachments, {call.targets.count()} targets"
        ))
