"""`python -m fabriques run-jobs`: the background worker (export jobs, webhook deliveries, proofs, e-mails,
the SQLite planner statistics)."""

import time

from django.core.management.base import BaseCommand

from fabriques.advice.domain import invitations_expire
from fabriques.dossiers.deposit import proofs_send_queued
from fabriques.exports.domain import jobs_run_pending
from fabriques.faq.domain import faq_digests_send
from fabriques.followup.reporting import reports_remind_hourly
from fabriques.instruction.complements import complements_due_run
from fabriques.instruction.follow import follow_digests_send
from fabriques.mail.domain import emails_send_due
from fabriques.security.maintenance import planner_statistics_refresh
from fabriques.webhooks.domain import deliveries_run_due

# Each entry runs what is due and returns how many items it processed; the label names them in the output.
RUNNERS = (
    ("exports", jobs_run_pending),
    ("webhooks", deliveries_run_due),
    ("attestations", proofs_send_queued),
    ("courriels", emails_send_due),
    ("invitations de conseillers expirées", invitations_expire),
    ("récapitulatifs de FAQ", faq_digests_send),
    ("récapitulatifs des dossiers suivis", follow_digests_send),
    ("rappels de comptes rendus", reports_remind_hourly),
    ("compléments (rappels, expirations)", complements_due_run),
    ("statistiques SQLite", planner_statistics_refresh),
)


class Command(BaseCommand):
    help = ("Exécute les tâches de fond (exports, webhooks, attestations de dépôt, courriels). "
            "--once : une passe puis s’arrête.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="une seule passe, puis s’arrêter")
        parser.add_argument("--sleep", type=float, default=2.0, help="pause entre deux passes (secondes)")

    def handle(self, *args, once=False, sleep=2.0, **options):
        runners = RUNNERS
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
