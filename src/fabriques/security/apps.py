from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "fabriques.security"
    label = "security"
    verbose_name = "Sécurité et exploitation"
