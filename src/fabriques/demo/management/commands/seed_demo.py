from django.core.management.base import BaseCommand
from django.utils import timezone

from fabriques.calls.models import Call
from fabriques.demo.domain import DEMO_PASSWORD, SECOND_CALL_FILE, demo_seed


class Command(BaseCommand):
    help = "Load the 2019 AMI and a second call, a demo wave open today and one demo account per role (idempotent)."

    def handle(self, *args, **options):
        from django.conf import settings
        from django.core.management.base import CommandError

        if not settings.DEBUG:
            raise CommandError("seed-demo creates accounts with a known password: refused with FABRIQUES_DEBUG=0.")
        call, wave, accounts = demo_seed()
        self.stdout.write(self.style.SUCCESS(f"Appel chargé : {call.title}"))
        second = Call.objects.exclude(pk=call.pk).filter(source_name=SECOND_CALL_FILE.name).first()
        if second is not None:
            self.stdout.write(f"Second appel, défini par son seul fichier : {second.title} (vagues en 2027)")
        closes = timezone.localtime(wave.closes_at)
        self.stdout.write(f"Vague ouverte : {wave.title}, clôture le {closes:%d/%m/%Y %H:%M:%S} (heure de Paris)")
        self.stdout.write("\nComptes de démonstration (mot de passe commun : " + DEMO_PASSWORD + ")")
        for account in accounts:
            self.stdout.write(f"  {account.label:<30} {account.email}")
        self.stdout.write("  Porteurs des autres dossiers : porteur01@demo.fabriques.fr … porteur67@demo.fabriques.fr")
        self.stdout.write(
            "\nComité : la vague « Vague de démonstration (close, en comité) » s’ouvre sur un scénario calculé."
            "\nÀ essayer : la vague « … (close, en instruction) » a deux dossiers à prendre en instruction, un point"
            " à confirmer, des compléments demandés au porteur de démonstration, une déclaration d’intérêts et une"
            " évaluation en attente pour l’évaluateur ; le porteur a aussi un brouillon prêt à déposer."
        )
