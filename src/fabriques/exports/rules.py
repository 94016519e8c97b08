"""Who may export a wave's dossiers and who sees evaluators' scores in exports."""

from fabriques.accounts.capabilities import can


def can_export(user, call) -> bool:
    """Admins, committee members and instructors export; what they get is scoped by dossiers_for_instruction."""
    return can(user, "export.run", call)


def can_export_scores(user, call) -> bool:
    return can(user, "export.scores", call)
