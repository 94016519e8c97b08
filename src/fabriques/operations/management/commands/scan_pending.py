"""`python -m fabriques scan-pending`: scan the files stored without an antivirus verdict; quarantine the infected."""

from django.core.management.base import BaseCommand, CommandError

from fabriques.operations.scan import ScannerNotConfiguredError, pending_files_scan


class Command(BaseCommand):
    help = (
        "Analyse par l’antivirus (FABRIQUES_CLAMD) les pièces enregistrées sans analyse ou dont l’analyse a "
        "échoué, enregistre le résultat et met en quarantaine les fichiers infectés."
    )

    def handle(self, *args, **options):
        try:
            summary = pending_files_scan()
        except ScannerNotConfiguredError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(summary.as_line())
        if summary.errors:  # a non-zero exit, so that cron or the supervisor reports it
            raise CommandError(
                f"{summary.errors} fichier(s) n’ont pas pu être analysés (détail dans le journal) ; "
                "ils restent en attente et seront analysés au prochain passage."
            )
