"""`python -m fabriques audit-verify`: walk the hash chain; exit 1 at the first broken entry."""

from django.core.management.base import BaseCommand, CommandError

from fabriques.audit.domain import audit_verify


class Command(BaseCommand):
    help = "Vérifie la chaîne d’empreintes du journal d’audit ; code de sortie 1 si elle est rompue."

    def handle(self, *args, **options):
        check = audit_verify()
        if not check.ok:
            raise CommandError(
                f"Journal d’audit altéré : entrée n° {check.first_broken_id} — {check.problem} "
                f"({check.checked} entrées lues)."
            )
        self.stdout.write(f"Journal d’audit intègre : {check.checked} entrées vérifiées.")
