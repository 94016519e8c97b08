from django.core.management.base import BaseCommand

from fabriques.calls.models import Call
from fabriques.calls.retention import retention_for
from fabriques.mail.domain import emails_purge_sent
from fabriques.personal.personal_data import dossiers_erase_expired, drafts_purge


class Command(BaseCommand):
    help = ("Apply every call's retention periods: purge untouched drafts, erase expired dossiers; delete the "
            "e-mails sent more than 30 days ago (run daily).")

    def handle(self, *args, **options):
        for call in Call.objects.order_by("slug"):
            r = retention_for(call)
            self.stdout.write(f"{call.slug}: drafts {r.draft_days} days (notice {r.notice_days}), "
                              f"unfunded {r.unfunded_years} years, laureates {r.funded_years} years")
        report = drafts_purge()
        erased = dossiers_erase_expired()
        emails = emails_purge_sent()
        self.stdout.write(f"{report.noticed} notices sent, {report.deleted} drafts deleted, "
                          f"{erased} dossiers erased, {emails} sent e-mails deleted")
