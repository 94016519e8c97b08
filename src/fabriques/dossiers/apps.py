from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "fabriques.dossiers"
    label = "dossiers"
    verbose_name = "Dossiers"
