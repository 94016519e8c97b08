from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fabriques.calls.models import Call
from fabriques.opendata.publish import DataGouvClient, PublishError, call_files, dataset_for, dataset_publish


class Command(BaseCommand):
    help = (
        "Create or update the resources of a call's dataset on data.gouv.fr (laureates CSV/GeoJSON, their Table "
        "Schema, the follow-up's aggregated indicators when they exist); a file already there is not uploaded again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--call", required=True, metavar="SLUG", help="identifiant de l’appel")
        parser.add_argument("--dataset", default="", help="identifiant ou slug du jeu de données sur data.gouv.fr "
                            "(défaut : FABRIQUES_DATAGOUV_DATASETS)")
        parser.add_argument("--dry-run", action="store_true", help="dire ce qui changerait, sans rien envoyer")

    def handle(self, *args, **options):
        call = Call.objects.filter(slug=options["call"]).first()
        if call is None:
            raise CommandError(f"Appel « {options['call']} » introuvable.")
        dataset = options["dataset"] or dataset_for(call.slug)
        if not dataset:
            raise CommandError("Aucun jeu de données : passez --dataset ID ou réglez FABRIQUES_DATAGOUV_DATASETS "
                               f"(« {call.slug}=ID »).")
        if not settings.FABRIQUES_DATAGOUV_API_KEY:
            raise CommandError("FABRIQUES_DATAGOUV_API_KEY n’est pas réglée : clé d’API du propriétaire du jeu "
                               "de données (profil data.gouv.fr).")
        try:
            client = DataGouvClient(base_url=settings.FABRIQUES_DATAGOUV_URL,
                                    api_key=settings.FABRIQUES_DATAGOUV_API_KEY)
            changes = dataset_publish(client=client, dataset=dataset, files=call_files(call),
                                      dry_run=options["dry_run"])
        except PublishError as exc:
            raise CommandError(f"Publication interrompue : {exc}") from None
        prefix = "(essai) " if options["dry_run"] else ""
        for change in changes:
            self.stdout.write(f"{prefix}{change.title} : {change.action}")
        changed = sum(c.action != "inchangée" for c in changes)
        self.stdout.write(f"{prefix}{changed} ressource(s) modifiée(s) sur {len(changes)}, jeu de données {dataset}.")
