"""`python -m fabriques mail-status`: counts of the e-mail outbox, the given-up e-mails, and a re-queue."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from fabriques.mail.domain import emails_retry_failed, outbox_counts
from fabriques.mail.enums import EmailState
from fabriques.mail.models import OutgoingEmail

SHOWN = 20


class Command(BaseCommand):
    help = "Courriels sortants : nombres par état, derniers échecs ; --retry-failed les remet en file."

    def add_arguments(self, parser):
        parser.add_argument("--retry-failed", action="store_true",
                            help="remettre en file les courriels en échec définitif (après réparation du SMTP)")

    def handle(self, *args, retry_failed=False, **options):
        if retry_failed:
            self.stdout.write(f"{emails_retry_failed()} courriel(s) remis en file")
        counts = outbox_counts()
        self.stdout.write(f"Courriels : {counts.queued} à envoyer (dont {counts.due} à essayer maintenant), "
                          f"{counts.sent} envoyé(s), {counts.failed} en échec définitif")
        failed = OutgoingEmail.objects.filter(state=EmailState.FAILED).order_by("-created_at", "-id")[:SHOWN]
        for email in failed:
            self.stdout.write(f"  #{email.pk} {timezone.localtime(email.created_at):%d/%m/%Y %H:%M} "
                              f"{', '.join(email.recipients)} « {email.subject} » : {email.last_error}")
