from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "fabriques.advice"
    label = "advice"
    verbose_name = "Accompagnement des porteurs"
