from django.apps import AppConfig


class InstructionConfig(AppConfig):
    name = "fabriques.instruction"
    label = "instruction"
    verbose_name = "Instruction"

    def ready(self) -> None:
        from fabriques.dossiers.rules import COMPLEMENT_SECTION_SOURCES  # the app registry must be ready first
        from fabriques.instruction.domain import checklist_items_register  # models must be loaded first
        from fabriques.instruction.rules import open_complement_sections

        checklist_items_register()
        COMPLEMENT_SECTION_SOURCES.append(open_complement_sections)
