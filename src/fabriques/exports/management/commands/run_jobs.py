"""`python -m fabriques run-jobs`: the background worker (export jobs, then webhook deliveries when present)."""

import time

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

# Each entry runs what is due and returns how many items it processed.
RUNNERS = (
    "fabriques.exports.domain.jobs_run_pending",
    "fabriques.webhooks.domain.deliveries_run_due",
    "fabriques.dossiers.deposit.proofs_send_queued",
)


class Command(BaseCommand):
    help = "Exécute les tâches de fond (exports, webhooks, attestations de dépôt). --once : une passe puis s’arrête."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="une seule passe, puis s’arrêter")
        parser.add_argument("--sleep", type=float, default=2.0, help="pause entre deux passes (secondes)")

    def handle(self, *args, once=False, sleep=2.0, **options):
        runners = [import_string(path) for path in RUNNERS]
        while True:
            done = sum(runner() for runner in runners)
            if done:
                self.stdout.write(f"{done} tâche(s) exécutée(s)")
            if once:
                return
            if not done:
                time.sleep(sleep)
