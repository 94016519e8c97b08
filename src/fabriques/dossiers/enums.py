from django.db import models


class DossierState(models.TextChoices):
    """The whole lifecycle of a dossier; only `workflow.dossier_transition` writes it."""

    DRAFT = "draft", "Brouillon"
    DEPOSITED = "deposited", "Déposé"
    IN_INSTRUCTION = "in_instruction", "En instruction"
    COMPLEMENTS_REQUESTED = "complements_requested", "Compléments demandés"
    ADMISSIBLE = "admissible", "Recevable"
    INADMISSIBLE = "inadmissible", "Irrecevable"
    IN_EVALUATION = "in_evaluation", "En évaluation"
    EVALUATED = "evaluated", "Évalué"
    LAUREATE = "laureate", "Lauréat"
    WAITING_LIST = "waiting_list", "Liste d’attente"
    NOT_RETAINED = "not_retained", "Non retenu"
    WITHDRAWN = "withdrawn", "Retiré"
    CLOSED = "closed", "Classé sans suite"


S = DossierState
# The applicant edits the content in these states (and only while the wave is open).
APPLICANT_EDITABLE_STATES = frozenset({S.DRAFT, S.DEPOSITED})
# Deposited at least once: the instruction side sees these.
SUBMITTED_STATES = frozenset(set(S) - {S.DRAFT})
INSTRUCTION_STATES = frozenset({S.DEPOSITED, S.IN_INSTRUCTION, S.COMPLEMENTS_REQUESTED})
EVALUATION_STATES = frozenset({S.ADMISSIBLE, S.IN_EVALUATION, S.EVALUATED})
DECISION_STATES = frozenset({S.INADMISSIBLE, S.LAUREATE, S.WAITING_LIST, S.NOT_RETAINED, S.CLOSED})
FUNDED_STATES = frozenset({S.LAUREATE})
FINAL_STATES = frozenset({S.INADMISSIBLE, S.LAUREATE, S.NOT_RETAINED, S.WITHDRAWN, S.CLOSED})
# "Withdrawn by the applicant at any time before decision".
WITHDRAWABLE_STATES = frozenset(set(S) - DECISION_STATES - {S.WITHDRAWN})

# What the applicant sees as the next step, per state.
NEXT_STEP = {
    S.DRAFT: "Complétez les rubriques puis déposez avant la clôture.",
    S.DEPOSITED: "Dossier déposé : vous pouvez encore le modifier et le redéposer jusqu’à la clôture.",
    S.IN_INSTRUCTION: "Le dossier est examiné par les services instructeurs. Rien à faire pour l’instant.",
    S.COMPLEMENTS_REQUESTED: "Des compléments vous sont demandés : répondez avant la date indiquée.",
    S.ADMISSIBLE: "Le dossier est recevable ; il sera évalué prochainement.",
    S.INADMISSIBLE: "Le dossier a été déclaré irrecevable ; le motif vous a aussi été envoyé par courriel.",
    S.IN_EVALUATION: "Le dossier est en cours d’évaluation.",
    S.EVALUATED: "L’évaluation est terminée ; le comité de sélection se prononcera.",
    S.LAUREATE: "Félicitations : votre projet est lauréat.",
    S.WAITING_LIST: "Votre projet est sur liste d’attente.",
    S.NOT_RETAINED: "Votre projet n’a pas été retenu.",
    S.WITHDRAWN: "Vous avez retiré ce dossier.",
    S.CLOSED: "Le dossier a été classé sans suite ; le motif vous a aussi été envoyé par courriel.",
}


class PlaceStatus(models.TextChoices):
    EXISTING = "existing", "Lieu existant"
    PROJECT = "project", "Lieu en projet"


class BudgetKind(models.TextChoices):
    CHARGE = "charge", "Charge"
    RESOURCE = "resource", "Ressource"


class ChargeCategory(models.TextChoices):
    PERSONNEL = "personnel", "Charges de personnel"
    OPERATIONS = "fonctionnement", "Fonctionnement (loyer, fluides, assurances)"
    ACTIVITIES = "activites", "Activités, prestations et animation"
    EQUIPMENT = "equipement", "Équipement et petits investissements"
    OTHER_CHARGES = "autres-charges", "Autres charges"


class ResourceCategory(models.TextChoices):
    STATE = "etat", "Subvention demandée à l’État (AMI)"
    OWN = "propres", "Ressources propres (adhésions, ventes, prestations)"
    COFUNDING = "cofinancement", "Cofinancement"
    OTHER_RESOURCES = "autres-ressources", "Autres ressources"


# Co-funder lines shown on the budget form (name + one amount per year).
COFUNDER_SLOTS = 3
