from django.apps import AppConfig


class InstructionConfig(AppConfig):
    name = "fabriques.instruction"
    label = "instruction"
    verbose_name = "Instruction"

    def ready(self) -> None:
        # Imported here: models must be loaded first. Fills the lower layers' hook tables (docs: « Couches »).
        from fabriques.dossiers.enums import DossierState
        from fabriques.dossiers.rules import COMPLEMENT_SECTION_SOURCES
        from fabriques.dossiers.workflow import ON_ENTER
        from fabriques.instruction.admissibility import checklist_items_register
        from fabriques.instruction.routing import dossier_route_deposited
        from fabriques.instruction.rules import open_complement_sections

        checklist_items_register()
        COMPLEMENT_SECTION_SOURCES.append(open_complement_sections)
        ON_ENTER.setdefault(DossierState.DEPOSITED, []).append(dossier_route_deposited)
