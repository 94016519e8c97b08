"""`python -m fabriques run-jobs`: the background worker (export jobs, webhook deliveries, proofs, e-mails,
the SQLite planner statistics)."""

import time

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

# Each entry runs what is due and returns how many items it processed; the label names them in the output.
RUNNERS = (
    ("exports", "fabriques.exports.domain.jobs_run_pending"),
    ("webhooks", "fabriques.webhooks.domain.deliveries_run_due"),
    ("attestations", "fabriques.dossiers.deposit.proofs_send_queued"),
    ("courriels", "fabriques.mail.domain.emails_send_due"),
    ("invitations de conseillers expirées", "fabriques.advice.domain.invitations_expire"),
    ("récapitulatifs de FAQ", "fabriques.faq.domain.faq_digests_send"),
    ("récapitulatifs des dossiers suivis", "fabriques.instruction.follow.follow_digests_send"),
    ("rappels de comptes rendus", "fabriques.followup.reporting.reports_remind_hourly"),
    ("statistiques SQLite", "fabriques.security.maintenance.planner_statistics_refresh"),
)


class Command(BaseCommand):
    help = ("Exécute les tâches de fond (exports, webhooks, attestations de dépôt, courriels). "
            "--once : une passe puis s’arrête.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="une seule passe, puis s’arrêter")
        parser.add_argument("--sleep", type=float, default=2.0, help="pause entre deux passes (secondes)")

    def handle(self, *args, once=False, sleep=2.0, **options):
        runners = [(label, import_string(path)) for label, path in RUNNERS]
        while True:
            counts = [(label, runner()) for label, runner in runners]
            done = sum(n for _, n in counts)
            if done:
                detail = ", ".join(f"{label} {n}" for label, n in counts if n)
                self.stdout.write(f"{done} tâche(s) exécutée(s) : {detail}")
            if once:
                return
            if not done:
                time.sleep(sleep)
