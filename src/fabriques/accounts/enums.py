from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "Porteur de projet"
    INSTRUCTOR = "instructor", "Instructeur"
    EVALUATOR = "evaluator", "Évaluateur"
    COMMITTEE = "committee", "Membre du comité de sélection"
    ADMIN = "admin", "Administrateur du programme"


AGENT_ROLES = frozenset({Role.INSTRUCTOR, Role.EVALUATOR, Role.COMMITTEE, Role.ADMIN})


class OrganisationRole(models.TextChoices):
    OWNER = "owner", "Responsable"
    MEMBER = "member", "Membre"
