from django.apps import AppConfig


class ThemeConfig(AppConfig):
    name = "fabriques.theme"
    label = "theme"
    verbose_name = "Thème"
