"""Bulk acts from the agents' dashboard: give many dossiers to an instructor, to evaluators, or write to their
applicants. Each dossier goes through the same domain function as the single act (audited, e-mailed), all in one
transaction: one refusal and nothing changes, the refusal naming the dossier."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from fabriques.accounts.capabilities import roles_with
from fabriques.dossiers.models import Dossier
from fabriques.dossiers.workflow import TransitionError
from fabriques.evaluation.assignments import assignment_create
from fabriques.evaluation.errors import EvaluationError
from fabriques.evaluation.rules import managed_dossiers
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.follow import instruction_assign
from fabriques.instruction.messages import message_post
from fabriques.instruction.models import InstructionGroup

ACTIONS = {
    "instructor": "Attribuer à un instructeur",
    "evaluators": "Affecter des évaluateurs",
    "message": "Écrire aux porteurs",
}
MAX_DOSSIERS = 200


class BulkError(EvaluationError):
    """A bulk act refused for one of its dossiers; nothing was done."""


def bulk_dossiers(user, uuids) -> list[Dossier]:
    """The chosen dossiers the agent manages (programme admins: their calls; instructors: their groups), by reference;
    any other uuid is left out."""
    return list(managed_dossiers(user).filter(uuid__in=list(uuids)[:MAX_DOSSIERS])
                .select_related("wave__call", "owner", "organisation", "instruction__assigned_to")
                .order_by("reference"))


def instructor_choices(dossiers: list[Dossier]):
    """The instructors of the chosen dossiers' groups (the domain still checks each dossier's own group)."""
    groups = InstructionGroup.objects.filter(instructions__dossier__in=dossiers)
    return get_user_model().objects.filter(
        instruction_groups__in=groups, is_active=True, call_roles__role__in=roles_with("instruction.group_member"),
        call_roles__call_id__in={d.wave.call_id for d in dossiers},
    ).distinct().order_by("email")


def evaluator_choices(dossiers: list[Dossier]):
    return get_user_model().objects.filter(
        is_active=True, call_roles__role__in=roles_with("evaluation.evaluate"),
        call_roles__call_id__in={d.wave.call_id for d in dossiers},
    ).distinct().order_by("email")


def bulk_run(*, action: str, dossiers: list[Dossier], by, instructor=None, evaluators=(), body: str = "") -> int:
    """Do `action` on every dossier through the single act's domain function; all or nothing; returns the count."""
    if action not in ACTIONS:
        raise BulkError("Action inconnue.")
    if not dossiers:
        raise BulkError("Cochez au moins un dossier.")
    if action == "instructor" and instructor is None:
        raise BulkError("Choisissez l’instructeur.", field="instructor")
    if action == "evaluators" and not evaluators:
        raise BulkError("Choisissez au moins un évaluateur.", field="evaluators")
    if action == "message" and not body.strip():
        raise BulkError("Écrivez le message.", field="body")
    with transaction.atomic():
        for dossier in dossiers:
            try:
                if action == "instructor":
                    instruction_assign(dossier=dossier, instructor=instructor, by=by)
                elif action == "evaluators":
                    for evaluator in evaluators:
                        assignment_create(dossier=dossier, evaluator=evaluator, by=by)
                else:
                    message_post(dossier=dossier, author=by, body=body)
            except (InstructionError, EvaluationError, TransitionError) as exc:
                raise BulkError(f"Dossier {dossier.reference} : {exc} Rien n’a été fait.") from exc
    return len(dossiers)
