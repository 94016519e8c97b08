"""A request for complements, from the instructor's request to its end: sent with its deadline, answered (instruction
resumes, a new fingerprinted version), reminded, expired, cancelled or extended, and read by the instructors.

A request is open until the applicant answers it (`complements_answer`), the instructor cancels it, or its
deadline passes (the worker then marks it expired). Each change is audited, moves the dossier through
`dossier_transition` when it must leave « compléments demandés », and queues its e-mails in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fabriques.audit.domain import audit_record
from fabriques.calls.models import Call
from fabriques.dossiers.deposit import dossier_version_create
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.dossiers.workflow import dossier_transition
from fabriques.instruction.admissibility import checklist_refresh
from fabriques.instruction.enums import ComplementState
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.models import (
    ComplementItem,
    ComplementRequest,
)
from fabriques.mail.domain import Email, emails_queue

S = DossierState
C = ComplementState


def deadline_label(due_at: dt.datetime) -> str:
    """« 21/12/2026 à 23 h 59 (heure de Paris) »."""
    local = timezone.localtime(due_at)
    return f"{local:%d/%m/%Y} à {local:%H} h {local:%M} (heure de Paris)"


def _link(name: str, dossier: Dossier) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[dossier.uuid])


def request_details(*, dossier: Dossier, labels: list[str], due_at: dt.datetime) -> str:
    """What the applicant's e-mail says of a request: the sections asked for, the deadline, where to answer."""
    lines = ["Éléments à compléter :", *(f"- {label}" for label in labels), "",
             f"Réponse attendue au plus tard le {deadline_label(due_at)}.",
             "Seuls ces éléments peuvent être modifiés jusqu’à cette date ; répondez ensuite sur la page "
             "des échanges :",
             _link("instruction:exchanges", dossier)]
    return "\n".join(lines)


def _instructors(request: ComplementRequest) -> list[str]:
    """Who is told on the instruction side: the dossier's group members and the agent who asked."""
    dossier = request.dossier
    emails = []
    instruction = getattr(dossier, "instruction", None)
    if instruction is not None:
        emails += list(instruction.group.members.order_by("email").values_list("email", flat=True))
    if request.requested_by.email not in emails:
        emails.append(request.requested_by.email)
    return emails


def _to_instructors(request: ComplementRequest, subject: str, body: str) -> Email:
    dossier = request.dossier
    text = (f"Bonjour,\n\n{body}\n\nDossier {dossier.reference} — {dossier.place_name or dossier.organisation.name}\n"
            f"{_link('instruction:dossier', dossier)}\n\nL’équipe Fabriques")
    return Email(to=_instructors(request), subject=f"[Fabriques] {subject} — {dossier.reference}", body=text)


def _to_applicant(request: ComplementRequest, subject: str, body: str) -> Email:
    dossier = request.dossier
    text = (f"Bonjour,\n\n{body}\n\nDossier {dossier.reference} — {dossier.place_name or dossier.organisation.name}\n"
            f"{_link('instruction:exchanges', dossier)}\n\nL’équipe Fabriques")
    return Email(to=[dossier.owner.email], subject=f"[Fabriques] {subject} — {dossier.reference}", body=text)


def _labels(request: ComplementRequest) -> str:
    return ", ".join(item.label for item in request.items.all())


def complements_received_notify(*, request: ComplementRequest) -> None:
    """Tell the instructors that the complements arrived (in the answering transaction)."""
    body = (f"Le porteur a apporté les compléments demandés le {timezone.localtime(request.requested_at):%d/%m/%Y} "
            f"({_labels(request)}).")
    if request.answer:
        body += f"\n\nSa réponse : {request.answer}"
    body += "\n\nLa page du dossier montre les différences entre la version déposée et la version complétée."
    emails_queue(emails=[_to_instructors(request, "Compléments reçus", body)])


# A request is born open (the field's default) when the instructor sends it; it ends answered, cancelled or expired.
COMPLEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    C.OPEN: frozenset({C.ANSWERED, C.CANCELLED, C.EXPIRED}),
    C.ANSWERED: frozenset(),
    C.CANCELLED: frozenset(),
    C.EXPIRED: frozenset(),
}
# The audit entry of each end; an answer is recorded by the version it deposits (`complements` in the journal).
COMPLEMENT_AUDIT = {C.CANCELLED: "complements.cancelled", C.EXPIRED: "complements.expired"}


def complement_transition(request: ComplementRequest, to: str, *, by, reason: str = "",
                          fields=()) -> ComplementRequest:
    """Move a locked request to `to` if the table allows it: saved (with the `fields` the caller set), audited."""
    to = C(to)
    current = request.state
    if to not in COMPLEMENT_TRANSITIONS[current]:
        raise InstructionError(f"Cette demande de compléments est « {C(current).label.lower()} » : "
                               "elle ne peut plus être modifiée.")
    request.state = to
    request.save(update_fields=["state", *fields])
    if to in COMPLEMENT_AUDIT:
        audit_record(action=COMPLEMENT_AUDIT[to], obj=request, by=by, before={"state": current},
                     after={"state": to}, reason=reason, dossier_id=request.dossier_id,
                     call_id=request.dossier.wave.call_id)
    return request


def _open_request(request: ComplementRequest) -> ComplementRequest:
    """The request locked and read again; refused unless still open."""
    current = ComplementRequest.objects.select_for_update().select_related(
        "dossier__wave", "dossier__owner", "dossier__organisation", "requested_by").get(pk=request.pk)
    if current.state != C.OPEN:
        raise InstructionError(f"Cette demande de compléments est « {current.get_state_display().lower()} » : "
                               "elle ne peut plus être modifiée.")
    return current


def complement_cancel(*, request: ComplementRequest, reason: str, by) -> ComplementRequest:
    """The instructor withdraws an open request: instruction resumes; the applicant reads the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise InstructionError("Indiquez le motif de l’annulation : le porteur le lira.")
    with transaction.atomic():
        request = _open_request(request)
        request.closed_at, request.closed_reason = timezone.now(), reason
        complement_transition(request, C.CANCELLED, by=by, reason=reason, fields=["closed_at", "closed_reason"])
        dossier_transition(request.dossier, S.IN_INSTRUCTION, by=by,
                           reason=f"demande de compléments annulée : {reason}")
    return request


def complement_extend(*, request: ComplementRequest, due_at: dt.datetime, reason: str, by) -> ComplementRequest:
    """Move an open request's deadline later, with a reason; the applicant is told the new date."""
    reason = (reason or "").strip()
    if not reason:
        raise InstructionError("Indiquez le motif de la prolongation : le porteur le lira.")
    with transaction.atomic():
        request = _open_request(request)
        if due_at <= max(request.due_at, timezone.now()):
            raise InstructionError(
                f"La nouvelle date doit être postérieure à la date limite actuelle ({deadline_label(request.due_at)}).")
        before = request.due_at
        request.due_at, request.extension_reason, request.reminded_at = due_at, reason, None  # a new reminder
        request.save(update_fields=["due_at", "extension_reason", "reminded_at"])
        audit_record(action="complements.extended", obj=request, by=by, before={"due_at": before.isoformat()},
                     after={"due_at": due_at.isoformat()}, reason=reason, dossier_id=request.dossier_id,
                     call_id=request.dossier.wave.call_id)
        emails_queue(emails=[_to_applicant(
            request, "Délai de réponse prolongé",
            f"Le délai pour apporter les compléments demandés ({_labels(request)}) est prolongé : réponse attendue "
            f"au plus tard le {deadline_label(due_at)}.\n\nMotif : {reason}")])
    return request


def complements_seen(*, request: ComplementRequest, by) -> None:
    """An instructor read the complements (their differences): the dossier leaves « compléments reçus »."""
    if request.state == C.ANSWERED and request.seen_at is None:
        ComplementRequest.objects.filter(pk=request.pk, seen_at__isnull=True).update(seen_at=timezone.now())
        audit_record(action="complements.seen", obj=request, by=by, dossier_id=request.dossier_id,
                     call_id=request.dossier.wave.call_id)


# --- The worker's pass: reminders, then expiry --------------------------------------------------------------------


def complements_remind(*, now: dt.datetime | None = None) -> int:
    """Remind the applicant once, the call's `complement_reminder_days` before the deadline, of each open request not
    yet answered (a request made less than a day before that point is not reminded: its e-mail is recent). One query
    per call that has open requests (a few calls)."""
    now = now or timezone.now()
    open_requests = ComplementRequest.objects.filter(
        state=C.OPEN, reminded_at__isnull=True, due_at__gt=now, requested_at__lte=now - dt.timedelta(days=1),
        dossier__state=S.COMPLEMENTS_REQUESTED,
    )
    calls = Call.objects.filter(waves__dossiers__in=open_requests.values("dossier")).distinct()
    due = []
    for call_id, days in calls.values_list("pk", "complement_reminder_days"):
        of_call = open_requests.filter(dossier__wave__call=call_id, due_at__lte=now + dt.timedelta(days=days))
        due += of_call.select_related("dossier__owner", "dossier__organisation").prefetch_related("items")[:200]
    if not due:
        return 0
    with transaction.atomic():
        reminded = ComplementRequest.objects.filter(pk__in=[r.pk for r in due], reminded_at__isnull=True)
        ids = set(reminded.values_list("pk", flat=True))
        reminded.update(reminded_at=now)
        emails_queue(emails=[_to_applicant(
            r, "Rappel : compléments attendus",
            f"Les compléments demandés ({_labels(r)}) sont attendus au plus tard le {deadline_label(r.due_at)}. "
            "Passé ce délai, la demande expirera et vous ne pourrez plus y répondre.") for r in due if r.pk in ids])
    return len(ids)


def complements_expire(*, now: dt.datetime | None = None) -> int:
    """Open requests past their deadline become « expirée »: the instruction resumes without them, the instructors
    and the applicant are told (the applicant through the dossier's own e-mail)."""
    now = now or timezone.now()
    due = ComplementRequest.objects.filter(state=C.OPEN, due_at__lte=now).order_by("due_at").values_list(
        "pk", flat=True)[:200]
    count = 0
    for pk in list(due):
        with transaction.atomic():
            request = ComplementRequest.objects.select_for_update().select_related(
                "dossier__wave", "dossier__owner", "dossier__organisation", "requested_by").get(pk=pk)
            if request.state != C.OPEN or request.due_at > now:
                continue  # answered, cancelled or extended meanwhile
            request.closed_at = now
            complement_transition(request, C.EXPIRED, by=None, reason="délai de réponse dépassé",
                                  fields=["closed_at"])
            if request.dossier.state == S.COMPLEMENTS_REQUESTED:
                dossier_transition(request.dossier, S.IN_INSTRUCTION, by=None,
                                   reason="délai de réponse aux compléments dépassé : la demande a expiré")
            emails_queue(emails=[_to_instructors(
                request, "Demande de compléments expirée",
                f"Le porteur n’a pas répondu à la demande de compléments du "
                f"{timezone.localtime(request.requested_at):%d/%m/%Y} ({_labels(request)}) avant le "
                f"{deadline_label(request.due_at)} : elle a expiré et le dossier est de nouveau en instruction.")])
        count += 1
    return count


_LAST_PASS: dict[str, float] = {}
PASS_SECONDS = 60


def complements_due_run() -> int:
    """For the job worker (`run-jobs`): reminders and expiries, at most once a minute per process."""
    now = time.monotonic()
    last = _LAST_PASS.get("at")
    if last is not None and now - last < PASS_SECONDS:
        return 0
    _LAST_PASS["at"] = now
    return complements_remind() + complements_expire()


# --- Asking and answering ------------------------------------------------------------------------------------


def complements_request(
    *, dossier: Dossier, sections: list[tuple[str, str]], message: str, due_at: dt.datetime, by
) -> ComplementRequest:
    """Ask the applicant for the listed sections by a deadline; they may edit only those until they answer."""
    if not sections:
        raise InstructionError("Choisissez au moins un élément à compléter.")
    if not message.strip():
        raise InstructionError("Expliquez au porteur ce qui est attendu.")
    if due_at <= timezone.now():
        raise InstructionError("La date limite de réponse doit être dans le futur.")
    last = dossier.versions.order_by("-number").values_list("number", flat=True).first()
    with transaction.atomic():
        request = ComplementRequest.objects.create(
            dossier=dossier, requested_by=by, requested_at=timezone.now(), due_at=due_at, message=message,
            base_version=last,
        )
        ComplementItem.objects.bulk_create(
            ComplementItem(request=request, section=s, label=label) for s, label in sections
        )
        # The applicant's e-mail names the sections asked for and the deadline (not only « connectez-vous »).
        dossier_transition(dossier, S.COMPLEMENTS_REQUESTED, by=by, reason=message,
                           details=request_details(dossier=dossier, labels=[label for _, label in sections],
                                                   due_at=due_at))
    return request


def open_complement_request(dossier: Dossier) -> ComplementRequest | None:
    if dossier.state != S.COMPLEMENTS_REQUESTED:
        return None
    return dossier.complement_requests.filter(state=ComplementState.OPEN).prefetch_related("items").first()


def _complement_version(*, dossier: Dossier, by):
    """Keep what the complements changed as a new deposited version with its fingerprint."""
    version = dossier_version_create(dossier=dossier, by=by, at=timezone.now(),
                                     submission_key=f"complements-{uuid.uuid4()}")
    audit_record(action="dossier.version", obj=version, by=by,
                 after={"number": version.number, "sha256": version.sha256},
                 reason="compléments", dossier_id=dossier.pk, call_id=dossier.wave.call_id)
    return version


def complements_answer(*, dossier: Dossier, answer: str, by) -> Dossier:
    """The applicant says the complements are in: instruction resumes, the checklist is recomputed and the
    instructors are told by e-mail (the dashboard lists the dossier under « compléments reçus » until they look)."""
    request = open_complement_request(dossier)
    if request is None:
        raise InstructionError("Aucune demande de compléments n’est en cours pour ce dossier.")
    if request.due_at <= timezone.now():
        raise InstructionError("Le délai de réponse est dépassé : la demande de compléments a expiré. "
                               "Écrivez à l’instruction par un message si besoin.")
    with transaction.atomic():
        version = _complement_version(dossier=dossier, by=by)
        request.answered_at, request.answer, request.answer_version = timezone.now(), answer, version.number
        complement_transition(request, ComplementState.ANSWERED, by=by,
                              fields=["answered_at", "answer", "answer_version"])
        dossier_transition(dossier, S.IN_INSTRUCTION, by=by, reason="compléments apportés")
        checklist_refresh(dossier=dossier)
        complements_received_notify(request=request)
    return dossier
