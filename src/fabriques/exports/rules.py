"""Who sees evaluators' scores in exports (who may export at all: the views ask `export.run`)."""

from fabriques.accounts.capabilities import can


def can_export_scores(user, call) -> bool:
    return can(user, "export.scores", call)
