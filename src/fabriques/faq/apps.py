from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "fabriques.faq"
    label = "faq"
    verbose_name = "Questions et réponses"
