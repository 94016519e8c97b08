from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "fabriques.territory"
    label = "territory"
    verbose_name = "Territoires"

    def ready(self) -> None:
        from fabriques.territory.eligibility import rule_kinds_register  # models must be loaded first

        rule_kinds_register()
