"""Shared shape of the import commands: run an import, turn file errors into CommandError, print the report."""

from django.core.management.base import BaseCommand, CommandError

from fabriques.territory.sources import ImportFileError, ImportReport


class ImportCommand(BaseCommand):
    def run_import(self, function, **kwargs) -> ImportReport:
        try:
            report = function(**kwargs, progress=self.verbosity > 0)
        except ImportFileError as exc:
            raise CommandError(f"rien n’a été importé, les données précédentes sont conservées.\n{exc}") from None
        self.write_report(report)
        return report

    def write_report(self, report: ImportReport) -> None:
        """Closing report: counts, then each skip or repair with its reason."""
        self.stdout.write(self.style.SUCCESS(report.summary()))
        if self.verbosity > 0:
            for note in report.notes:
                self.stdout.write(f"  - {note}")

    def execute(self, *args, **options):
        self.verbosity = options.get("verbosity", 1)
        return super().execute(*args, **options)
