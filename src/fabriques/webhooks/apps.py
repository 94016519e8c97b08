from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "fabriques.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
