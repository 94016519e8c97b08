"""`python -m fabriques followup-remind`: queue the reminders of yearly reports (before the due date, when late);
daily from cron. Each reminder is sent once per report (see `reporting.reports_remind`)."""

from django.core.management.base import BaseCommand

from fabriques.followup.reporting import reports_remind


class Command(BaseCommand):
    help = "Rappels des comptes rendus annuels (avant l’échéance et en cas de retard), par la file des courriels."

    def handle(self, *args, **options):
        self.stdout.write(f"{reports_remind()} rappel(s) mis en file")
