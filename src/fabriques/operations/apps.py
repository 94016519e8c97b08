from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """What the operator runs over every app: the job worker, the web server with it, the health check and the
    antivirus pass over stored files. A top layer: it may import any app, and no app imports it."""

    name = "fabriques.operations"
    label = "operations"
    verbose_name = "Exploitation"
