from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "fabriques.security"
    label = "security"
    verbose_name = "Sécurité et exploitation"

    def ready(self):
        from fabriques.security import signals  # noqa: F401 - connects the second-factor receivers
