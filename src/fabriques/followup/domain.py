"""Writes of the follow-up: the call's settings (from `load-call`), agreements and their amendments, tranches.

Each state machine has one transition function with its table (`agreement_transition`, `tranche_transition`;
reports: `reporting.report_transition`): it checks the table and the guard, saves the state, writes the audit
entry, runs the table of what follows, queues webhooks and e-mails (durable outbox, sent after the commit).
Every refusal is a `FollowupError` whose message is for the person.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from fabriques.audit.domain import audit_record
from fabriques.calls.definition import DefinitionError
from fabriques.committee.enums import Outcome
from fabriques.dossiers.domain import fingerprint
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.followup.enums import (
    OPEN_TRANCHE_STATES,
    SIGNED_COPY_TYPES,
    AgreementState,
    Release,
    ReportState,
    TrancheState,
)
from fabriques.followup.models import (
    Agreement,
    AgreementVersion,
    FollowupSettings,
    Indicator,
    ReimbursementOrder,
    Report,
    Tranche,
)
from fabriques.followup.uploads import upload_check
from fabriques.mail.domain import Email, emails_queue
from fabriques.refusal import Refusal
from fabriques.webhooks.models import WebhookDelivery, WebhookEndpoint

A = AgreementState
T = TrancheState


class FollowupError(Refusal, ValueError):
    """A refused follow-up action; the message is French, for the person. `errors` maps fields to messages."""

    status = 422  # the API's answer since it exists

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.errors = errors or {}


# --- Settings from the call's definition ------------------------------------------------------------


def call_followup_sync(*, call, definition, tracks: dict, source: str) -> None:
    """The `[followup]` table of a call's definition, written by `call_load` in its transaction (registered in
    calls.domain.ON_CALL_LOAD by the app's ready())."""
    followup_settings_sync(call=call, definition=definition.followup, tracks=tracks, source=source)


def followup_settings_sync(*, call, definition, tracks: dict, source: str) -> None:
    """Write the `[followup]` table of a definition being loaded (same transaction as `call_load`)."""
    if definition is None:
        FollowupSettings.objects.filter(call=call).delete()
        if call.indicators.exists() and Indicator.objects.filter(call=call, values__isnull=False).exists():
            raise DefinitionError(source, ["followup: cannot remove the follow-up: reports already use its indicators"])
        call.indicators.all().delete()
        return
    FollowupSettings.objects.update_or_create(call=call, defaults={
        "agreement_title": definition.agreement_title, "grantor": definition.grantor,
        "signatory": definition.signatory, "obligations": list(definition.obligations),
        "payment_terms": definition.payment_terms,
        "tranches": [json.loads(t.model_dump_json()) for t in definition.tranches],
        "reports": [r.model_dump() for r in definition.reports],
        "reminder_days_before": sorted(definition.reminder_days_before, reverse=True),
        "late_reminder_every_days": definition.late_reminder_every_days,
    })
    codes = set()
    for i, d in enumerate(definition.indicators, start=1):
        indicator, _ = Indicator.objects.update_or_create(call=call, code=d.code, defaults={
            "label": d.label, "kind": d.kind, "unit": d.unit, "help_text": d.help_text, "required": d.required,
            "choices": list(d.choices), "position": i,
        })
        indicator.tracks.set([tracks[slug] for slug in d.tracks])
        codes.add(d.code)
    absent = call.indicators.exclude(code__in=codes)
    used = sorted(absent.filter(values__isnull=False).values_list("code", flat=True).distinct())
    if used:
        names = ", ".join(used)
        raise DefinitionError(source, [f"followup.indicators: cannot remove {names}: reports already use them"])
    absent.delete()


# --- Derived figures --------------------------------------------------------------------------------


def figures_refresh(*, agreements) -> int:
    """Store paid, cancelled, reports received and the next due date of these agreements (one UPDATE); called by
    every function that changes a tranche, a report or the schedule, so list pages never recompute them."""
    from django.db.models import Count, IntegerField, Min, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    def tranche_sum(state):
        rows = (Tranche.objects.filter(agreement=OuterRef("pk"), state=state).order_by().values("agreement")
                .annotate(s=Sum("amount_eur")).values("s"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    received = (Report.objects.filter(agreement=OuterRef("pk"), state__in=(ReportState.DEPOSITED, ReportState.ACCEPTED))
                .order_by().values("agreement").annotate(n=Count("pk")).values("n"))
    next_due = (Report.objects.filter(agreement=OuterRef("pk"),
                                      state__in=(ReportState.TO_FILL, ReportState.CHANGES_REQUESTED))
                .order_by().values("agreement").annotate(m=Min("due_on")).values("m"))
    from django.db.models import Case, When

    return agreements.update(
        paid_eur=tranche_sum(T.PAID), cancelled_eur=tranche_sum(T.CANCELLED),
        reports_received=Coalesce(Subquery(received, output_field=IntegerField()), Value(0)),
        # Only an agreement in force has a report to wait for (a terminated one's reports are moot).
        next_due_on=Case(When(state=A.IN_FORCE, then=Subquery(next_due)), default=None))


def _refresh(agreement_id: int) -> None:
    figures_refresh(agreements=Agreement.objects.filter(pk=agreement_id))


# --- Helpers -----------------------------------------------------------------------------------------


def split_amount(amount: int, shares: list) -> list[int]:
    """Whole euros per tranche: equal shares when none is given (extra euros to the first), else by percentage
    (rounded down, the remainder on the last); always adds up to `amount`."""
    count = len(shares)
    if all(s is None for s in shares):
        base, extra = divmod(amount, count)
        return [base + (1 if i < extra else 0) for i in range(count)]
    parts = [int(amount * float(s) / 100) for s in shares]
    parts[-1] += amount - sum(parts)
    return parts


def recipients_of(agreement: Agreement) -> list[str]:
    dossier = agreement.dossier
    emails = {dossier.owner.email}
    emails |= set(dossier.organisation.members.values_list("user__email", flat=True))
    return sorted(e for e in emails if e)


def _link(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def _email(agreement: Agreement, subject: str, body: str) -> Email:
    text = (f"Bonjour,\n\n{body}\n\nConvention {agreement.reference} — {agreement.dossier.organisation.name}\n"
            f"{_link('followup:agreement', agreement.uuid)}\n\nL’équipe Fabriques")
    return Email(to=recipients_of(agreement), subject=f"[Fabriques] {subject} — {agreement.reference}", body=text)


def webhook_queue(*, agreement: Agreement, event: str, data: dict) -> int:
    """One signed delivery per active endpoint of the call (the webhooks worker sends it), in this transaction."""
    endpoints = list(WebhookEndpoint.objects.filter(call_id=agreement.call_id, active=True))
    now = timezone.now()
    rows = []
    for endpoint in endpoints:
        delivery = WebhookDelivery(endpoint=endpoint, event=event, dossier_id=agreement.dossier_id,
                                   next_attempt_at=now)
        delivery.body = json.dumps({
            "id": str(delivery.uuid), "event": event, "occurred_at": now.isoformat(), "call": agreement.call.slug,
            "agreement": {"reference": agreement.reference, "state": agreement.state,
                          "url": f"/api/v1/followup/agreements/{agreement.reference}"},
            **data,
        }, ensure_ascii=False, sort_keys=True, default=str)
        rows.append(delivery)
    WebhookDelivery.objects.bulk_create(rows)
    return len(rows)


# --- Agreements --------------------------------------------------------------------------------------


def agreement_snapshot(agreement: Agreement, *, number: int, reason: str, tranches: list[dict]) -> dict:
    """What the agreement says, frozen: parties, project, amount, schedule, obligations, indicators."""
    dossier = agreement.dossier
    org = dossier.organisation
    conf = agreement.call.followup_settings
    indicators = Indicator.objects.filter(call=agreement.call, tracks=dossier.track_id).order_by("position")
    return {
        "reference": agreement.reference, "version": number, "reason": reason,
        "title": conf.agreement_title, "grantor": conf.grantor, "signatory": conf.signatory,
        "call": {"slug": agreement.call.slug, "title": agreement.call.title},
        "beneficiary": {"name": org.name, "siret": org.siret, "legal_form": org.legal_form, "address": org.address,
                        "commune": org.commune.name if org.commune_id else ""},
        "project": {"dossier": dossier.reference, "place_name": dossier.place_name, "track": dossier.track.title},
        "amount_eur": agreement.amount_eur, "duration_years": dossier.track.duration_years,
        "per_year_cap_eur": dossier.track.per_year_cap_eur,
        "starts_on": agreement.starts_on.isoformat() if agreement.starts_on else None,
        "tranches": tranches, "reports": conf.reports, "obligations": conf.obligations,
        "payment_terms": conf.payment_terms,
        "indicators": [{"code": i.code, "label": i.label, "unit": i.unit, "kind": i.kind, "required": i.required}
                       for i in indicators],
    }


def _tranche_rows(agreement: Agreement) -> list[dict]:
    return [{"number": t.number, "amount_eur": t.amount_eur, "release": t.release,
             "after_report_year": t.after_report_year, "condition": t.condition}
            for t in agreement.tranches.order_by("number")]


def _version_add(agreement: Agreement, *, reason: str, by, number: int) -> AgreementVersion:
    snapshot = agreement_snapshot(agreement, number=number, reason=reason, tranches=_tranche_rows(agreement))
    return AgreementVersion.objects.create(agreement=agreement, number=number, snapshot=snapshot,
                                           sha256=fingerprint(snapshot), reason=reason, created_by=by,
                                           created_at=timezone.now())


def agreement_create(*, dossier, by) -> Agreement:
    """The draft agreement of an applied laureate decision: amount, tranches from the call's schedule, version 1."""
    decision = getattr(dossier, "decision", None)
    if dossier.state != DossierState.LAUREATE or decision is None or decision.outcome != Outcome.LAUREATE \
            or decision.applied_at is None or not decision.amount_eur:
        raise FollowupError("Une convention n’est établie que pour un lauréat dont la décision est appliquée.")
    conf = FollowupSettings.objects.filter(call_id=dossier.wave.call_id).first()
    if conf is None:
        raise FollowupError("La définition de l’appel ne décrit pas le suivi des lauréats (table [followup]).")
    with transaction.atomic():
        if Agreement.objects.filter(dossier=dossier).exists():
            raise FollowupError("Ce lauréat a déjà une convention.")
        agreement = Agreement.objects.create(
            dossier=dossier, call_id=dossier.wave.call_id, reference=f"CONV-{dossier.reference}",
            amount_eur=decision.amount_eur, state_changed_at=timezone.now(),
        )
        amounts = split_amount(decision.amount_eur, [t["share_percent"] for t in conf.tranches])
        Tranche.objects.bulk_create(
            Tranche(agreement=agreement, number=t["number"], amount_eur=amount, release=t["release"],
                    after_report_year=t["after_report_year"])
            for t, amount in zip(conf.tranches, amounts, strict=True)
        )
        version = _version_add(agreement, reason="Convention initiale, d’après la décision du comité", by=by, number=1)
        _refresh(agreement.pk)
        audit_record(action="agreement.create", obj=agreement, by=by,
                     after={"amount_eur": agreement.amount_eur, "sha256": version.sha256},
                     dossier_id=dossier.pk, call_id=agreement.call_id)
    return agreement


def agreements_generate(*, call, by) -> int:
    """Draft the agreement of every applied laureate of the call that has none yet; returns how many."""
    dossiers = (Dossier.objects.filter(wave__call=call, state=DossierState.LAUREATE, agreement__isnull=True,
                                       decision__applied_at__isnull=False)
                .select_related("decision", "wave", "track", "organisation__commune"))
    count = 0
    with transaction.atomic():
        for dossier in dossiers:
            agreement_create(dossier=dossier, by=by)
            count += 1
    return count


AGREEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    A.DRAFT: frozenset({A.SENT, A.TERMINATED}),
    A.SENT: frozenset({A.DRAFT, A.SIGNED, A.TERMINATED}),
    A.SIGNED: frozenset({A.IN_FORCE, A.TERMINATED}),
    A.IN_FORCE: frozenset({A.CLOSED, A.TERMINATED}),
    A.CLOSED: frozenset(),
    A.TERMINATED: frozenset(),
}


def _guard_signed(agreement: Agreement, reason: str) -> str:
    return "" if agreement.signed_file else "Déposez d’abord l’exemplaire signé de la convention."


def _guard_in_force(agreement: Agreement, reason: str) -> str:
    return "" if agreement.starts_on else "Indiquez la date d’entrée en vigueur."


def _guard_closed(agreement: Agreement, reason: str) -> str:
    if agreement.tranches.filter(state__in=OPEN_TRANCHE_STATES).exists():
        return "Des tranches restent à payer ou à annuler : la convention ne peut pas être soldée."
    if agreement.reports.exclude(state=ReportState.ACCEPTED).exists():
        return "Tous les comptes rendus doivent être acceptés avant de solder la convention."
    return ""


def _guard_reason(agreement: Agreement, reason: str) -> str:
    return "" if reason.strip() else "Indiquez le motif."


AGREEMENT_GUARDS: dict[str, Callable[[Agreement, str], str]] = {
    A.SIGNED: _guard_signed, A.IN_FORCE: _guard_in_force, A.CLOSED: _guard_closed, A.TERMINATED: _guard_reason,
}


def _release_signature_tranches(*, agreement: Agreement, by) -> None:
    for tranche in agreement.tranches.filter(release=Release.SIGNATURE, state=T.WAITING):
        tranche_transition(tranche, T.DUE, by=by, reason="Convention signée")


def _cancel_open_tranches(*, agreement: Agreement, by) -> None:
    for tranche in agreement.tranches.filter(state__in=OPEN_TRANCHE_STATES):
        tranche_transition(tranche, T.CANCELLED, by=by, reason="Fin anticipée de la convention")


def reports_schedule(*, agreement: Agreement, by=None) -> None:
    """Create (or re-date) the yearly reports from the entry into force and the call's report periods."""
    conf = agreement.call.followup_settings
    start = agreement.starts_on
    for period in conf.reports:
        year = period["year"]
        begins = _add_years(start, year - 1)
        ends = _add_years(start, year) - dt.timedelta(days=1)
        due = ends + dt.timedelta(days=period["due_days_after_period"])
        Report.objects.update_or_create(agreement=agreement, year=year, defaults={
            "label": period["label"], "period_start": begins, "period_end": ends, "due_on": due})
    _refresh(agreement.pk)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


AGREEMENT_ON_ENTER: dict[str, tuple[Callable, ...]] = {
    A.SIGNED: (_release_signature_tranches,),
    A.IN_FORCE: (reports_schedule,),
    A.TERMINATED: (_cancel_open_tranches,),
}

AGREEMENT_NOTIFICATIONS: dict[str, tuple[str, str]] = {
    A.SENT: ("Convention à signer", "Votre convention attributive de subvention est prête : téléchargez-la, "
             "faites-la signer puis déposez l’exemplaire signé dans votre espace de suivi."),
    A.SIGNED: ("Convention signée", "L’exemplaire signé de votre convention a bien été reçu."),
    A.IN_FORCE: ("Convention en vigueur", "Votre convention est en vigueur. Les dates de vos comptes rendus "
                 "annuels sont dans votre espace de suivi."),
    A.CLOSED: ("Convention soldée", "Votre convention est soldée. Merci pour ces trois années."),
    A.TERMINATED: ("Convention résiliée", "Votre convention a pris fin avant son terme."),
}


def agreement_transition(agreement: Agreement, to: str, *, by, reason: str = "") -> Agreement:
    """Move the agreement to `to` if the table and its guard allow it: state saved, audited, follow-ups run,
    webhook and e-mail queued (committed with the state)."""
    to = A(to)
    with transaction.atomic():
        current = Agreement.objects.select_for_update().only("state").get(pk=agreement.pk).state
        if to not in AGREEMENT_TRANSITIONS[current]:
            raise FollowupError(f"Une convention « {A(current).label} » ne peut pas passer à l’état « {to.label} ».")
        refusal = AGREEMENT_GUARDS.get(to, lambda a, r: "")(agreement, reason)
        if refusal:
            raise FollowupError(refusal)
        agreement.state, agreement.state_changed_at = to, timezone.now()
        fields = ["state", "state_changed_at"]
        if to == A.TERMINATED:
            agreement.end_reason = reason
            fields.append("end_reason")
        agreement.save(update_fields=fields)
        _refresh(agreement.pk)
        audit_record(action="agreement.transition", obj=agreement, by=by, before={"state": current},
                     after={"state": to}, reason=reason, dossier_id=agreement.dossier_id, call_id=agreement.call_id)
        for action in AGREEMENT_ON_ENTER.get(to, ()):
            action(agreement=agreement, by=by)
        webhook_queue(agreement=agreement, event="agreement.state_changed", data={"previous_state": current})
        if to in AGREEMENT_NOTIFICATIONS:
            subject, body = AGREEMENT_NOTIFICATIONS[to]
            emails_queue(emails=[_email(agreement, subject, body + (f"\n\nMotif : {reason}" if reason else ""))])
    return agreement


def agreement_signed_copy_upload(*, agreement: Agreement, upload, by) -> Agreement:
    """Store the signed copy (checked by its bytes and the antivirus); a sent agreement becomes signed."""
    from fabriques.followup.enums import MAX_UPLOAD_MB

    if agreement.state not in (A.SENT, A.SIGNED):
        raise FollowupError("L’exemplaire signé se dépose une fois la convention envoyée pour signature.")
    checked = upload_check(upload, allowed=SIGNED_COPY_TYPES, max_mb=MAX_UPLOAD_MB, error=FollowupError)
    with transaction.atomic():
        old = agreement.signed_file.name if agreement.signed_file else ""
        agreement.signed_file.save("signed", upload, save=False)
        agreement.signed_name, agreement.signed_sha256 = checked.name, checked.sha256
        agreement.signed_type, agreement.signed_scan_state = checked.kind, checked.scan_state
        agreement.signed_uploaded_by, agreement.signed_uploaded_at = by, timezone.now()
        agreement.save(update_fields=["signed_file", "signed_name", "signed_sha256", "signed_type",
                                      "signed_scan_state", "signed_uploaded_by", "signed_uploaded_at"])
        audit_record(action="agreement.signed_copy", obj=agreement, by=by, before={"file": old},
                     after={"name": checked.name, "sha256": checked.sha256},
                     dossier_id=agreement.dossier_id, call_id=agreement.call_id)
        if agreement.state == A.SENT:
            agreement_transition(agreement, A.SIGNED, by=by)
    return agreement


def agreement_start(*, agreement: Agreement, starts_on: dt.date, by) -> Agreement:
    """Put a signed agreement in force from `starts_on`: the yearly reports are scheduled from that date."""
    if starts_on is None:
        raise FollowupError("Indiquez la date d’entrée en vigueur.", {"starts_on": "Indiquez une date."})
    with transaction.atomic():
        agreement.starts_on = starts_on
        agreement.save(update_fields=["starts_on"])
        agreement_transition(agreement, A.IN_FORCE, by=by, reason=f"à compter du {starts_on:%d/%m/%Y}")
    return agreement


def agreement_amend(*, agreement: Agreement, by, reason: str, amount_eur: int,
                    starts_on: dt.date | None = None) -> AgreementVersion:
    """An amendment (avenant): a new version with its reason; open tranches share what is not yet paid or
    requested, the reports are re-dated when the start moves. The history is the list of versions."""
    errors = {}
    if not reason.strip():
        errors["reason"] = "Indiquez le motif de l’avenant."
    if agreement.state in (A.CLOSED, A.TERMINATED):
        raise FollowupError(f"Une convention « {agreement.get_state_display()} » ne se modifie plus.")
    track = agreement.dossier.track
    if amount_eur is None or not (0 < amount_eur <= track.amount_max_eur):
        errors["amount_eur"] = f"Le montant doit être compris entre 1 et {track.amount_max_eur} €."
    if errors:
        raise FollowupError("L’avenant n’a pas été enregistré : corrigez les champs signalés.", errors)
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        settled = locked.tranches.filter(state__in=(T.PAID, T.REQUESTED)).aggregate(s=Sum("amount_eur"))["s"] or 0
        open_tranches = list(locked.tranches.filter(state__in=(T.WAITING, T.DUE)).order_by("number"))
        remaining = amount_eur - settled
        if remaining < 0 or (remaining > 0 and not open_tranches):
            raise FollowupError("L’avenant n’a pas été enregistré : corrigez les champs signalés.", {
                "amount_eur": f"{settled} € sont déjà payés ou en paiement : le montant ne peut pas être inférieur "
                              "(un trop-perçu se récupère par un ordre de reversement)."
                if remaining < 0 else "Aucune tranche ne reste à verser pour porter ce montant."})
        before = {"amount_eur": locked.amount_eur, "starts_on": locked.starts_on,
                  "tranches": [t["amount_eur"] for t in _tranche_rows(locked)]}
        for tranche, amount in zip(open_tranches, split_amount(remaining, [None] * len(open_tranches)), strict=True):
            tranche.amount_eur = amount
            tranche.save(update_fields=["amount_eur"])
        locked.amount_eur = amount_eur
        if starts_on is not None:
            locked.starts_on = starts_on
        locked.version_number += 1
        locked.save(update_fields=["amount_eur", "starts_on", "version_number"])
        if starts_on is not None and locked.reports.exists():
            reports_schedule(agreement=locked)
        version = _version_add(locked, reason=reason, by=by, number=locked.version_number)
        _refresh(locked.pk)
        audit_record(action="agreement.amend", obj=locked, by=by, before=before, reason=reason,
                     after={"amount_eur": amount_eur, "starts_on": locked.starts_on, "version": version.number},
                     dossier_id=locked.dossier_id, call_id=locked.call_id)
        webhook_queue(agreement=locked, event="agreement.amended", data={"version": version.number})
        text = f"Un avenant (version {version.number}) modifie votre convention.\n\nMotif : {reason}"
        emails_queue(emails=[_email(locked, "Avenant à votre convention", text)])
    agreement.refresh_from_db()
    return version


def agreement_terminate(*, agreement: Agreement, by, reason: str, reimburse_eur: int = 0) -> ReimbursementOrder | None:
    """End the agreement early: open tranches cancelled; with an amount, an ordre de reversement (≤ what was paid)."""
    paid = agreement.tranches.filter(state=T.PAID).aggregate(s=Sum("amount_eur"))["s"] or 0
    if not reason.strip():
        raise FollowupError("La résiliation n’a pas été enregistrée.",
                            {"reason": "Indiquez le motif de la fin anticipée."})
    if reimburse_eur < 0 or reimburse_eur > paid:
        raise FollowupError("La résiliation n’a pas été enregistrée.", {
            "reimburse_eur": f"Le montant à reverser doit être compris entre 0 et {paid} € (montant déjà payé)."})
    with transaction.atomic():
        agreement_transition(agreement, A.TERMINATED, by=by, reason=reason)
        if not reimburse_eur:
            return None
        count = ReimbursementOrder.objects.filter(agreement=agreement).count() + 1
        order = ReimbursementOrder.objects.create(
            agreement=agreement, reference=f"OR-{agreement.reference}-{count}", amount_eur=reimburse_eur,
            reason=reason, created_by=by, created_at=timezone.now())
        audit_record(action="agreement.reimbursement", obj=order, by=by,
                     after={"amount_eur": reimburse_eur, "reference": order.reference},
                     dossier_id=agreement.dossier_id, call_id=agreement.call_id)
        emails_queue(emails=[_email(agreement, "Ordre de reversement",
                                    f"Un ordre de reversement de {reimburse_eur} € ({order.reference}) est émis.\n\n"
                                    f"Motif : {reason}")])
    return order


# --- Tranches ----------------------------------------------------------------------------------------

TRANCHE_TRANSITIONS: dict[str, frozenset[str]] = {
    T.WAITING: frozenset({T.DUE, T.CANCELLED}),
    T.DUE: frozenset({T.REQUESTED, T.CANCELLED}),
    T.REQUESTED: frozenset({T.PAID, T.DUE, T.CANCELLED}),
    T.PAID: frozenset(),
    T.CANCELLED: frozenset(),
}

TRANCHE_STAMPS = {T.DUE: "due_at", T.REQUESTED: "requested_at", T.PAID: "paid_at"}


def tranche_transition(tranche: Tranche, to: str, *, by, reason: str = "", payment_reference: str = "") -> Tranche:
    """Move a tranche along due → requested → paid (or cancelled) if the table allows it; audited, webhook queued."""
    to = T(to)
    with transaction.atomic():
        current = Tranche.objects.select_for_update().only("state").get(pk=tranche.pk).state
        if to not in TRANCHE_TRANSITIONS[current]:
            raise FollowupError(f"Une tranche « {T(current).label} » ne peut pas passer à l’état « {to.label} ».")
        agreement = tranche.agreement
        if to in (T.REQUESTED, T.PAID) and agreement.state not in (A.SIGNED, A.IN_FORCE):
            raise FollowupError("Une tranche ne se paie que sur une convention signée ou en vigueur.")
        tranche.state = to
        fields = ["state"]
        if to in TRANCHE_STAMPS:
            setattr(tranche, TRANCHE_STAMPS[to], timezone.now())
            fields.append(TRANCHE_STAMPS[to])
        if to == T.PAID:
            tranche.payment_reference = payment_reference.strip()[:80]
            fields.append("payment_reference")
        tranche.save(update_fields=fields)
        _refresh(tranche.agreement_id)
        audit_record(action="tranche.transition", obj=tranche, by=by, before={"state": current},
                     after={"state": to, "number": tranche.number, "amount_eur": tranche.amount_eur},
                     reason=reason, dossier_id=agreement.dossier_id, call_id=agreement.call_id)
        webhook_queue(agreement=agreement, event="tranche.state_changed", data={
            "tranche": {"number": tranche.number, "amount_eur": tranche.amount_eur, "state": to,
                        "previous_state": current}})
        if to in (T.DUE, T.PAID):
            what = "est due" if to == T.DUE else "a été payée"
            emails_queue(emails=[_email(agreement, f"Tranche {tranche.number} : {to.label.lower()}",
                                        f"La tranche {tranche.number} ({tranche.amount_eur} €) {what}.")])
    return tranche


def tranches_request_payment(*, call, by) -> int:
    """Send every due tranche of the call's live agreements to payment (the finance service's export follows)."""
    due = Tranche.objects.filter(agreement__call=call, state=T.DUE,
                                 agreement__state__in=(A.SIGNED, A.IN_FORCE)).select_related("agreement__call")
    count = 0
    with transaction.atomic():
        for tranche in due:
            tranche_transition(tranche, T.REQUESTED, by=by, reason="Mise en paiement")
            count += 1
    return count
