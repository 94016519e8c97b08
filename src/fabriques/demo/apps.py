from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fabriques.demo"
    label = "demo"
    verbose_name = "Démonstration"
