"""Démarches Simplifiées' instructor acts: « repasser en instruction » and « classer sans suite »."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from fabriques.audit.domain import audit_record
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.dossiers.workflow import dossier_transition
from fabriques.instruction.complements import complement_transition
from fabriques.instruction.enums import ComplementState
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.models import ComplementRequest, Instruction

S = DossierState
REINSTRUCTABLE = frozenset({S.ADMISSIBLE, S.INADMISSIBLE})
CLOSABLE = frozenset({S.IN_INSTRUCTION, S.COMPLEMENTS_REQUESTED})


def dossier_reinstruct(*, dossier: Dossier, reason: str, by) -> Dossier:
    """Take back an admissibility decision: the dossier is in instruction again, the decision is cleared (the
    journal keeps it with the reason) and the applicant is told."""
    reason = (reason or "").strip()
    if dossier.state not in REINSTRUCTABLE:
        raise InstructionError(f"Un dossier « {dossier.get_state_display()} » ne peut pas repasser en instruction : "
                               "seul un dossier déclaré recevable ou irrecevable le peut.")
    if not reason:
        raise InstructionError("Indiquez pourquoi le dossier repasse en instruction : le porteur lira ce motif.")
    if dossier.assignments.exists():
        raise InstructionError("Des évaluateurs sont déjà affectés à ce dossier : retirez leurs affectations avant "
                               "de le repasser en instruction.")
    with transaction.atomic():
        instruction = Instruction.objects.select_for_update().get(dossier=dossier)
        before = {"decision": instruction.decision, "decision_reason": instruction.decision_reason,
                  "decided_at": instruction.decided_at.isoformat() if instruction.decided_at else None}
        instruction.decision, instruction.decision_reason = "", ""
        instruction.decided_by, instruction.decided_at = None, None
        instruction.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
        audit_record(action="admissibility.withdrawn", obj=instruction, by=by, before=before,
                     after={"decision": ""}, reason=reason, dossier_id=dossier.pk, call_id=dossier.wave.call_id)
        return dossier_transition(dossier, S.IN_INSTRUCTION, by=by, reason=f"repassé en instruction : {reason}")


def dossier_close_without_followup(*, dossier: Dossier, reason: str, by) -> Dossier:
    """« Classer sans suite »: a terminal decision with a reason the applicant reads; an open request for
    complements is cancelled with it."""
    reason = (reason or "").strip()
    if dossier.state not in CLOSABLE:
        raise InstructionError(f"Un dossier « {dossier.get_state_display()} » ne peut pas être classé sans suite : "
                               "seul un dossier en instruction le peut.")
    if not reason:
        raise InstructionError("Indiquez le motif du classement sans suite : le porteur le lira.")
    with transaction.atomic():
        for request in ComplementRequest.objects.select_for_update().select_related("dossier__wave").filter(
                dossier=dossier, state=ComplementState.OPEN):
            request.closed_at, request.closed_reason = timezone.now(), f"dossier classé sans suite : {reason}"
            complement_transition(request, ComplementState.CANCELLED, by=by, reason=request.closed_reason,
                                  fields=["closed_at", "closed_reason"])
        return dossier_transition(dossier, S.CLOSED, by=by, reason=reason)
