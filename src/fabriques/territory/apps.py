from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "fabriques.territory"
    label = "territory"
    verbose_name = "Territoires"
