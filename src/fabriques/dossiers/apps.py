from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "fabriques.dossiers"
    label = "dossiers"
    verbose_name = "Dossiers"

    def ready(self):
        # The outbox draws the proof of deposit's PDF when it sends (mail cannot import dossiers: a table instead).
        from fabriques.dossiers.deposit import PROOF_RENDERER, proof_render
        from fabriques.mail.domain import attachment_renderer_register

        attachment_renderer_register(PROOF_RENDERER, proof_render)
