"""`python -m fabriques complements-remind`: remind applicants of requests for complements due soon (once each) and
mark expired the requests past their deadline. `run-jobs` does the same every minute; this is for cron."""

from django.core.management.base import BaseCommand

from fabriques.instruction.complements import complements_expire, complements_remind


class Command(BaseCommand):
    help = ("Rappels des demandes de compléments proches de leur échéance (une fois chacune) et expiration des "
            "demandes dont le délai est dépassé.")

    def handle(self, *args, **options):
        reminded, expired = complements_remind(), complements_expire()
        self.stdout.write(f"{reminded} rappel(s) mis en file, {expired} demande(s) expirée(s)")
