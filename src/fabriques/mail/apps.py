from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "fabriques.mail"
    label = "mail"
    verbose_name = "Courriels"

    def ready(self):
        from fabriques.mail.links import connect

        connect()
