from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    name = "fabriques.apitokens"
    label = "apitokens"
    verbose_name = "Jetons d’API"
