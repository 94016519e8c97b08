"""`python -m fabriques faq-digest`: e-mail each follower the FAQ answers published since their last digest."""

from django.core.management.base import BaseCommand

from fabriques.faq.domain import faq_digests_send


class Command(BaseCommand):
    help = ("Envoie (par la file des courriels) à chaque personne qui suit la FAQ d’un appel les réponses publiées "
            "depuis son dernier récapitulatif, au plus une fois par jour (--force : sans attendre un jour). "
            "`run-jobs` le fait aussi.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="ne pas attendre 24 h depuis le dernier envoi")

    def handle(self, *args, force=False, **options):
        sent = faq_digests_send(force=force)
        self.stdout.write(f"{sent} récapitulatif(s) mis en file d’envoi.")
