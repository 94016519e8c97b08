from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "fabriques.exports"
    label = "exports"
    verbose_name = "Exports et tâches de fond"
