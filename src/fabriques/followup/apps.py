from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "fabriques.followup"
    verbose_name = "Suivi des lauréats"
