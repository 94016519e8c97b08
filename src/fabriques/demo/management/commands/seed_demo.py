from django.core.management.base import BaseCommand
from django.utils import timezone

from fabriques.demo.domain import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Load the 2019 AMI, a demo wave open today and one demo account per role (idempotent)."

    def handle(self, *args, **options):
        call, wave, accounts = demo_seed()
        self.stdout.write(self.style.SUCCESS(f"Appel chargé : {call.title}"))
        closes = timezone.localtime(wave.closes_at)
        self.stdout.write(f"Vague ouverte : {wave.title}, clôture le {closes:%d/%m/%Y %H:%M:%S} (heure de Paris)")
        self.stdout.write("\nComptes de démonstration (mot de passe commun : " + DEMO_PASSWORD + ")")
        for account in accounts:
            self.stdout.write(f"  {account.label:<30} {account.email}")
