from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "fabriques.evaluation"
    label = "evaluation"
    verbose_name = "Évaluation"
