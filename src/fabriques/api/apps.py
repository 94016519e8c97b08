from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fabriques.api"
    label = "api"
    verbose_name = "API"
