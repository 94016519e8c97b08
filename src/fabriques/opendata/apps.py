from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "fabriques.opendata"
    label = "opendata"
    verbose_name = "Données ouvertes, statistiques et carte"
