from django.core.management.base import BaseCommand

from fabriques.personal.personal_data import drafts_purge


class Command(BaseCommand):
    help = "Notice then delete drafts untouched for their call's retention period (run daily from cron)."

    def handle(self, *args, **options):
        report = drafts_purge()
        self.stdout.write(f"{report.noticed} notices sent, {report.deleted} drafts deleted")
