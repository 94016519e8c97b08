from django.core.management.base import BaseCommand

from fabriques.accounts.personal_data import drafts_purge, notice_days, retention_days


class Command(BaseCommand):
    help = "Notice then delete drafts untouched for FABRIQUES_DRAFT_RETENTION_DAYS (run daily from cron)."

    def handle(self, *args, **options):
        report = drafts_purge()
        self.stdout.write(f"retention {retention_days()} days, notice {notice_days()} days: "
                          f"{report.noticed} notices sent, {report.deleted} drafts deleted")
