from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "fabriques.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from fabriques.dossiers.workflow import ON_ANY  # the app registry must be ready first
        from fabriques.webhooks.domain import dossier_state_changed

        ON_ANY.append(dossier_state_changed)
