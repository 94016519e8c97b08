from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "fabriques.committee"
    label = "committee"
    verbose_name = "Comité"
