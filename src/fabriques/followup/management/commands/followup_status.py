"""`python -m fabriques followup-status --call SLUG [--json]`: per laureate, the agreement's state, committed, paid,
remaining, reports due/received/late and the next deadline; totals at the end."""

import json

from django.core.management.base import BaseCommand, CommandError

from fabriques.calls.models import Call
from fabriques.followup.enums import AgreementState
from fabriques.followup.queries import call_status


class Command(BaseCommand):
    help = "Suivi des lauréats d’un appel : convention, montants, comptes rendus, prochaine échéance."

    def add_arguments(self, parser):
        parser.add_argument("--call", required=True, help="identifiant de l’appel (slug)")
        parser.add_argument("--json", action="store_true", help="sortie JSON (une entrée par lauréat et les totaux)")

    def handle(self, *args, call: str, json: bool = False, **options):
        found = Call.objects.filter(slug=call).first()
        if found is None:
            raise CommandError(f"Appel inconnu : « {call} ».")
        status = call_status(found)
        if json:
            self.stdout.write(_dumps(status))
            return
        for r in status["laureates"]:
            state = AgreementState(r["state"]).label if r["state"] else "sans convention"
            self.stdout.write(
                f"{r['dossier']:<16} {r['agreement'] or '—':<22} {state:<24} engagé {r['committed_eur']:>7} € "
                f"payé {r['paid_eur']:>7} € reste {r['remaining_eur']:>7} € — comptes rendus : "
                f"{r['reports_due']} à rendre, {r['reports_received']} reçu(s), {r['reports_late']} en retard ; "
                f"prochaine échéance {r['next_deadline'] or '—'}")
        t = status["totals"]
        self.stdout.write(f"Total : {t['laureates']} lauréat(s), engagé {t['committed_eur']} €, "
                          f"payé {t['paid_eur']} €, reste {t['remaining_eur']} €, "
                          f"{t['reports_late']} compte(s) rendu(s) en retard")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
