from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "fabriques.security"
    label = "security"
    verbose_name = "Sécurité et exploitation"

    def ready(self):
        from django.contrib import admin

        from fabriques.security import signals  # noqa: F401 - connects the second-factor receivers

        admin.site.index_template = "security/admin_index.html"  # warns when no antivirus scans uploads
