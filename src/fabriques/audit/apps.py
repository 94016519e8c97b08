from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fabriques.audit"
    label = "audit"
    verbose_name = "Journal d’audit"
