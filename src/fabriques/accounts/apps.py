from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fabriques.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"
