"""The dossier lifecycle: one transition table and the one function that changes `state`."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fabriques.audit.domain import audit_record_many
from fabriques.dossiers.enums import WITHDRAWABLE_STATES, DossierState
from fabriques.dossiers.models import Dossier
from fabriques.mail.domain import Email, emails_queue
from fabriques.refusal import Refusal

S = DossierState

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.DEPOSITED}),
    S.DEPOSITED: frozenset({S.IN_INSTRUCTION}),
    # « Classer sans suite » (Démarches Simplifiées' act): a terminal state, from instruction only.
    S.IN_INSTRUCTION: frozenset({S.COMPLEMENTS_REQUESTED, S.ADMISSIBLE, S.INADMISSIBLE, S.CLOSED}),
    S.COMPLEMENTS_REQUESTED: frozenset({S.IN_INSTRUCTION, S.CLOSED}),
    # « Repasser en instruction »: an admissibility decision is taken back (instruction.acts.dossier_reinstruct).
    S.ADMISSIBLE: frozenset({S.IN_EVALUATION, S.IN_INSTRUCTION}),
    S.INADMISSIBLE: frozenset({S.IN_INSTRUCTION}),
    S.IN_EVALUATION: frozenset({S.EVALUATED}),
    S.EVALUATED: frozenset({S.IN_EVALUATION, S.LAUREATE, S.WAITING_LIST, S.NOT_RETAINED}),  # reopened evaluation
    S.WAITING_LIST: frozenset({S.LAUREATE, S.NOT_RETAINED}),
    S.LAUREATE: frozenset(),
    S.NOT_RETAINED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.CLOSED: frozenset(),
}
for _state in WITHDRAWABLE_STATES:
    TRANSITIONS[_state] = TRANSITIONS[_state] | {S.WITHDRAWN}

# Subject and first paragraph of the e-mail sent to the applicant when the dossier enters a state.
NOTIFICATIONS: dict[str, tuple[str, str]] = {
    S.DEPOSITED: ("Dossier déposé", "Votre dossier a bien été déposé. L’attestation de dépôt vous est envoyée à part."),
    S.IN_INSTRUCTION: ("Dossier en instruction", "Votre dossier est désormais examiné par les services instructeurs."),
    S.COMPLEMENTS_REQUESTED: (
        "Compléments demandés",
        "Les services instructeurs vous demandent des compléments. Connectez-vous pour voir ce qui est attendu.",
    ),
    S.ADMISSIBLE: ("Dossier recevable", "Votre dossier a été déclaré recevable ; il va être évalué."),
    S.INADMISSIBLE: ("Dossier irrecevable", "Votre dossier a été déclaré irrecevable."),
    # No e-mail on entering IN_EVALUATION or EVALUATED: internal steps (assignments, declared conflicts, reopened
    # evaluations move a dossier back and forth); the applicant was told at admissibility and hears the decision.
    S.LAUREATE: ("Projet lauréat", "Votre projet a été retenu comme lauréat."),
    S.WAITING_LIST: ("Liste d’attente", "Votre projet a été placé sur liste d’attente."),
    S.NOT_RETAINED: ("Projet non retenu", "Votre projet n’a pas été retenu."),
    S.WITHDRAWN: ("Dossier retiré", "Votre dossier a été retiré ; il ne sera pas examiné."),
    S.CLOSED: ("Dossier classé sans suite", "Votre dossier a été classé sans suite par les services instructeurs."),
}


# States the applicant is not written to about (see NOTIFICATIONS).
INTERNAL_STATES = frozenset({S.IN_EVALUATION, S.EVALUATED})


# Hook tables: what higher apps do, inside the same transaction, when a dossier enters a state. An explicit table
# rather than signals: each entry is a domain function taking (dossier=, by=), added by its app's AppConfig.ready()
# (dossiers imports none of them): instruction routes a deposited dossier to its group.
ON_ENTER: dict[str, list[Callable[..., None]]] = {}


# Run on entering any state, after the ON_ENTER entries (same signature, same transaction): webhooks queues a delivery.
ON_ANY: list[Callable[..., None]] = []


class TransitionError(Refusal):
    """A change of state the lifecycle does not allow; the message is for the person."""


def can_transition(dossier: Dossier, to: str) -> bool:
    return to in TRANSITIONS.get(dossier.state, frozenset())


def _notification(dossier: Dossier, to: str, reason: str, details: str = "") -> Email | None:
    """The applicant's e-mail on entering `to`; None for the internal states (INTERNAL_STATES)."""
    if to not in NOTIFICATIONS:
        return None
    subject, body = NOTIFICATIONS[to]
    link = settings.SITE_URL.rstrip("/") + reverse("dossiers:detail", args=[dossier.uuid])
    text = f"Bonjour,\n\n{body}\n"
    if reason:
        text += f"\nMotif : {reason}\n"
    if details:
        text += f"\n{details}\n"
    text += f"\nDossier {dossier.reference} — {dossier.place_name or dossier.organisation.name}\n{link}\n\n"
    text += "L’équipe Fabriques"
    return Email(subject=f"[Fabriques] {subject} — {dossier.reference}", body=text, to=[dossier.owner.email])


def dossier_transition(dossier: Dossier, to: str, *, by, reason: str = "", details: str = "",
                       defer_email: bool = False, locked: bool = False, also: dict | None = None) -> Dossier:
    """Move the dossier to `to` if the table allows it: state saved, audit entry written, e-mail queued.

    `details` goes into the applicant's e-mail only (e.g. the sections and deadline of a request for complements).
    `defer_email`: the e-mail is left to the job worker (the deposit during a deadline rush), not sent by the request.
    `locked` and `also`: see `dossiers_transition_many`.
    A single move is a bulk move of one: `dossiers_transition_many` is the one writer of `state`.
    """
    return dossiers_transition_many([dossier], to, by=by, reason=reason, details=details, defer_email=defer_email,
                                    locked=locked, also=also)[0]


def dossiers_transition_many(dossiers: list[Dossier], to: str, *, by, reason: str = "", details: str = "",
                             defer_email: bool = False, locked: bool = False,
                             also: dict | None = None) -> list[Dossier]:
    """Move the dossiers to `to` if the table allows it for each, all or none: one locked read, one update, the audit
    entries chained in one write, ON_ENTER and ON_ANY run per dossier, the e-mails queued in one insert.

    `locked`: the caller read each dossier's `state` under the row's lock in its transaction (the deposit), so the
    states it holds are checked without a second locked read. `also`: other columns of the dossiers, not the state,
    written by the same UPDATE (the deposit's `last_deposited_at`)."""
    to = DossierState(to)
    also = also or {}
    if not dossiers:
        return []
    if {"state", "state_changed_at", "updated_at"} & set(also):
        raise ValueError("also: the transition writes the state and its dates itself")
    with transaction.atomic():
        ids = [d.pk for d in dossiers]
        if locked:
            current = {d.pk: d.state for d in dossiers}
        else:
            current = dict(Dossier.objects.select_for_update().filter(pk__in=ids).values_list("pk", "state"))
        refused = [d for d in dossiers if to not in TRANSITIONS.get(current[d.pk], frozenset())]
        if refused and len(dossiers) == 1:
            raise TransitionError(
                f"Un dossier « {DossierState(current[refused[0].pk]).label} » ne peut pas passer à l’état "
                f"« {to.label} »."
            )
        if refused:
            raise TransitionError(
                f"{len(refused)} dossier(s) ne peuvent pas passer à l’état « {to.label} », dont {refused[0]}."
            )
        now = timezone.now()
        Dossier.objects.filter(pk__in=ids).update(state=to, state_changed_at=now, updated_at=now, **also)
        for dossier in dossiers:
            dossier.state, dossier.state_changed_at, dossier.updated_at = to, now, now
            for name, value in also.items():
                setattr(dossier, name, value)
        audit_record_many(entries=[
            {"action": "dossier.transition", "obj": d, "by": by, "before": {"state": current[d.pk]},
             "after": {"state": to}, "reason": reason, "dossier_id": d.pk, "call_id": d.wave.call_id}
            for d in dossiers
        ])
        for dossier in dossiers:
            for action in (*ON_ENTER.get(to, ()), *ON_ANY):
                action(dossier=dossier, by=by)
        # One e-mail per dossier, one insert, committed with the state and sent after over a single connection.
        emails_queue(emails=[n for n in (_notification(d, to, reason, details) for d in dossiers) if n is not None],
                     defer=defer_email)
    return dossiers
