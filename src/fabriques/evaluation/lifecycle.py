"""The evaluation side's two state machines: an evaluator's assignment to a dossier and their evaluation.

One table and one writer each (`assignment_transition`, `evaluation_transition`): nothing else writes `state`
(tests/test_state_machines.py). The callers in `domain.py` lock the row, check their own French preconditions,
then call the writer, which checks the table, saves the state with the fields the caller set and writes the audit
entry; what follows (scores refreshed, the dossier's progress, a freed place refilled) stays with the caller.
"""

from __future__ import annotations

from collections.abc import Iterable

from fabriques.audit.domain import audit_record
from fabriques.evaluation.enums import AssignmentState, EvaluationState
from fabriques.evaluation.models import Assignment, Evaluation
from fabriques.refusal import Refusal

A = AssignmentState
E = EvaluationState

# A new assignment is born awaiting the evaluator's declaration of interests (the field's default).
ASSIGNMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    A.AWAITING_DECLARATION: frozenset({A.ACTIVE, A.CONFLICT, A.REMOVED}),
    A.ACTIVE: frozenset({A.REMOVED}),
    A.CONFLICT: frozenset(),
    A.REMOVED: frozenset({A.AWAITING_DECLARATION}),  # the same evaluator designated again by hand
}

# A new evaluation is a draft (the field's default), created when the evaluator declares no conflict.
EVALUATION_TRANSITIONS: dict[str, frozenset[str]] = {
    E.DRAFT: frozenset({E.SUBMITTED}),
    E.SUBMITTED: frozenset({E.DRAFT}),  # reopened by an instructor or an admin
}


class EvaluationTransitionError(Refusal):
    """A change of state the table does not allow; the message is for the person."""


def _check(table: dict, states, current: str, to: str, what: str) -> None:
    if to not in table.get(current, frozenset()):
        raise EvaluationTransitionError(
            f"{what} « {states(current).label} » ne peut pas passer à l’état « {states(to).label} »."
        )


def assignment_transition(assignment: Assignment, to: str, *, by, action: str, reason: str = "",
                          after: dict | None = None, fields: Iterable[str] = ()) -> Assignment:
    """Move a locked assignment to `to` if the table allows it: saved (with `fields`), audited as `action`."""
    to = A(to)
    current = assignment.state
    _check(ASSIGNMENT_TRANSITIONS, A, current, to, "Une affectation")
    assignment.state = to
    assignment.save(update_fields=["state", *fields])
    dossier = assignment.dossier
    audit_record(action=action, obj=assignment, by=by, before={"state": current}, after={"state": to, **(after or {})},
                 reason=reason, dossier_id=dossier.pk, call_id=dossier.wave.call_id)
    return assignment


def evaluation_transition(evaluation: Evaluation, to: str, *, by, action: str, reason: str = "",
                          after: dict | None = None, fields: Iterable[str] = ()) -> Evaluation:
    """Move a locked evaluation to `to` if the table allows it: saved (with `fields`), audited as `action`."""
    to = E(to)
    current = evaluation.state
    _check(EVALUATION_TRANSITIONS, E, current, to, "Une évaluation")
    evaluation.state = to
    evaluation.save(update_fields=["state", *fields])
    dossier = evaluation.assignment.dossier
    audit_record(action=action, obj=evaluation, by=by, before={"state": current}, after={"state": to, **(after or {})},
                 reason=reason, dossier_id=dossier.pk, call_id=dossier.wave.call_id)
    return evaluation
