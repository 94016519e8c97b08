from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "fabriques.calls"
    label = "calls"
    verbose_name = "Appels"
