from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fabriques.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from allauth.account.signals import user_logged_in

        from fabriques.accounts.proconnect import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="fabriques.accounts.proconnect")
