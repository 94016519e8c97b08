from django.apps import AppConfig


class InstructionConfig(AppConfig):
    name = "fabriques.instruction"
    label = "instruction"
    verbose_name = "Instruction"
