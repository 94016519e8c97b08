"""Writes on the yearly reports: the laureate's form (indicators, financial report, attachments), the deposit with
its fingerprinted version, the agent's review, reminders. `report_transition` is the only writer of `state`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from fabriques.audit.domain import audit_record
from fabriques.dossiers.domain import fingerprint
from fabriques.dossiers.enums import ChargeCategory
from fabriques.followup.domain import FollowupError, _email, figures_refresh, tranche_transition, webhook_queue
from fabriques.followup.enums import (
    APPLICANT_EDITABLE_REPORT_STATES,
    MAX_UPLOAD_MB,
    REPORT_FILE_TYPES,
    AgreementState,
    IndicatorKind,
    Release,
    ReportSection,
    ReportState,
    TrancheState,
)
from fabriques.followup.models import (
    Agreement,
    Indicator,
    IndicatorValue,
    Report,
    ReportAttachment,
    ReportComment,
    ReportReminder,
    ReportVersion,
    SpendingLine,
)
from fabriques.followup.uploads import upload_check
from fabriques.mail.domain import emails_queue

R = ReportState
# A spent amount further than this from the budget needs an explanation at deposit (CERFA 15059: « écarts »).
EXPLAIN_ABOVE_SHARE = Decimal("0.15")
MAX_TEXT = 5000


# --- The form's content ------------------------------------------------------------------------------


def indicators_for(report: Report) -> list[Indicator]:
    agreement = report.agreement
    return list(Indicator.objects.filter(call_id=agreement.call_id, tracks=agreement.dossier.track_id)
                .order_by("position"))


def spending_ensure(*, report: Report) -> list[SpendingLine]:
    """The report's budget lines, created once from the deposited budget's charges of that year (by category)."""
    lines = list(report.spending.all())
    if lines:
        return lines
    version = report.agreement.dossier.versions.order_by("-number").first()
    budget = version.snapshot["budget"]["lines"] if version else []
    planned = {c.value: 0 for c in ChargeCategory}
    for line in budget:
        if line["kind"] == "charge" and line["year"] == report.year and line["category"] in planned:
            planned[line["category"]] += line["amount_eur"]
    SpendingLine.objects.bulk_create(
        SpendingLine(report=report, category=code, label=ChargeCategory(code).label, budgeted_eur=amount, position=i)
        for i, (code, amount) in enumerate(planned.items(), start=1)
    )
    return list(report.spending.all())


def _number(raw: str) -> str:
    return raw.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".").replace("€", "")


def indicator_parse(indicator: Indicator, raw: str) -> tuple[dict, str]:  # noqa: PLR0911 - one return per refusal
    """({number_int|number_dec|text: value} or {} when empty, French error or "")."""
    raw = (raw or "").strip()
    if not raw:
        return {}, ""
    kind = indicator.kind
    if kind in (IndicatorKind.INTEGER, IndicatorKind.MONEY):
        text = _number(raw)
        if not text.lstrip("-").isdigit():
            what = "un montant en euros, sans centimes" if kind == IndicatorKind.MONEY else "un nombre entier"
            return {}, f"Saisissez {what} (par exemple 120)."
        value = int(text)
        if value < 0:
            return {}, "Saisissez un nombre positif ou nul : un décompte ne peut pas être négatif."
        return {"number_int": value}, ""
    if kind == IndicatorKind.DECIMAL:
        try:
            value = Decimal(_number(raw))
        except InvalidOperation:
            return {}, "Saisissez un nombre (par exemple 12,5)."
        if not value.is_finite():
            return {}, "Saisissez un nombre (par exemple 12,5)."
        if value < 0:
            return {}, "Saisissez un nombre positif ou nul : cette valeur ne peut pas être négative."
        if value != value.quantize(Decimal("0.01")) or value >= Decimal("1e12"):
            return {}, "Saisissez un nombre avec deux décimales au plus."
        return {"number_dec": value}, ""
    if kind == IndicatorKind.CHOICE:
        if raw not in indicator.choices:
            return {}, f"Choisissez l’une des valeurs proposées : {', '.join(indicator.choices)}."
        return {"text": raw}, ""
    if len(raw) > MAX_TEXT:
        return {}, f"{MAX_TEXT} caractères au plus ({len(raw)} saisis)."
    return {"text": raw}, ""


def _spent_parse(line: SpendingLine, raw: str, explanation: str) -> tuple[int | None, str]:
    raw = _number((raw or "").strip())
    if not raw:
        return None, ""
    if not raw.lstrip("-").isdigit():
        return None, "Saisissez un montant en euros, sans centimes."
    spent = int(raw)
    if spent < 0:
        return None, "Un montant dépensé ne peut pas être négatif."
    if spent > line.budgeted_eur and not explanation.strip():
        return spent, (f"Le montant dépensé dépasse le budget déposé ({line.budgeted_eur} €) : "
                       "expliquez l’écart dans la case prévue.")
    return spent, ""


def _ensure_writable(report: Report, by) -> None:
    from fabriques.followup.rules import can_write_report

    if not can_write_report(by, report):
        raise FollowupError("Seuls les membres de la structure lauréate remplissent le compte rendu.")
    if report.state not in APPLICANT_EDITABLE_REPORT_STATES:
        raise FollowupError(f"Le compte rendu est « {report.get_state_display()} » : il n’est plus modifiable.")
    if report.agreement.state not in (AgreementState.IN_FORCE, AgreementState.SIGNED):
        raise FollowupError("La convention n’est pas en vigueur : le compte rendu ne peut pas être rempli.")


def _ensure_still_writable(locked: Report, *, by, base_version: int) -> None:
    """Under the report's lock: still editable (not deposited meanwhile by a second tab, or before a late autosave)
    and nobody else saved since `base_version`."""
    if locked.state not in APPLICANT_EDITABLE_REPORT_STATES:
        raise FollowupError(f"Le compte rendu est « {locked.get_state_display()} » : il n’est plus modifiable.")
    if locked.version != base_version and locked.updated_by_id != by.pk:
        raise FollowupError("Une autre personne a enregistré ce compte rendu entre-temps : rechargez la page "
                            "pour voir sa version (votre saisie est conservée ci-dessous).", {"version": "stale"})


def report_save(*, report: Report, by, base_version: int, values: dict[str, str],
                spending: dict[str, tuple[str, str]], narrative: str) -> Report:
    """Save the whole form (autosave or button) or refuse it all, naming each wrong field; nothing half-written.
    A save from a version older than the stored one is refused (someone else saved in between)."""
    _ensure_writable(report, by)
    errors: dict[str, str] = {}
    parsed: dict[int, dict] = {}
    indicators = indicators_for(report)
    for indicator in indicators:
        value, error = indicator_parse(indicator, values.get(indicator.code, ""))
        if error:
            errors[f"ind-{indicator.code}"] = error
        parsed[indicator.pk] = value
    lines = spending_ensure(report=report)
    spent: dict[int, tuple[int | None, str]] = {}
    for line in lines:
        raw, explanation = spending.get(line.category, ("", ""))
        amount, error = _spent_parse(line, raw, explanation)
        if error:
            errors[f"spent-{line.category}"] = error
        if len(explanation) > MAX_TEXT:
            errors[f"explain-{line.category}"] = f"{MAX_TEXT} caractères au plus."
        spent[line.pk] = (amount, explanation.strip())
    if len(narrative) > 20000:
        errors["narrative"] = "20 000 caractères au plus."
    if errors:
        raise FollowupError("Le compte rendu n’a pas été enregistré : corrigez les champs signalés.", errors)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _ensure_still_writable(locked, by=by, base_version=base_version)
        existing = {v.indicator_id: v for v in locked.values.all()}
        to_create, to_update, to_delete = [], [], []
        for indicator in indicators:
            value = parsed[indicator.pk]
            row = existing.get(indicator.pk)
            if not value:
                if row:
                    to_delete.append(row.pk)
                continue
            row = row or IndicatorValue(report=locked, indicator=indicator)
            row.number_int, row.number_dec, row.text = (value.get("number_int"), value.get("number_dec"),
                                                        value.get("text", ""))
            (to_update if row.pk else to_create).append(row)
        IndicatorValue.objects.filter(pk__in=to_delete).delete()
        IndicatorValue.objects.bulk_create(to_create)
        IndicatorValue.objects.bulk_update(to_update, ["number_int", "number_dec", "text"])
        for line in lines:
            line.spent_eur, line.explanation = spent[line.pk]
        SpendingLine.objects.bulk_update(lines, ["spent_eur", "explanation"])
        locked.narrative = narrative.strip()
        locked.version += 1
        locked.updated_by = by
        locked.save(update_fields=["narrative", "version", "updated_by"])
    report.version, report.narrative = locked.version, locked.narrative
    return report


def report_attachment_add(*, report: Report, upload, by) -> ReportAttachment:
    """Add a file to the report, checked by its bytes and the antivirus (like the dossier's attachments)."""
    _ensure_writable(report, by)
    checked = upload_check(upload, allowed=REPORT_FILE_TYPES, max_mb=MAX_UPLOAD_MB, error=FollowupError)
    if report.attachments.count() >= 10:
        raise FollowupError("Dix pièces au plus : retirez-en une d’abord.")
    with transaction.atomic():
        attachment = ReportAttachment(report=report, original_name=checked.name, size=upload.size,
                                      sha256=checked.sha256, detected_type=checked.kind,
                                      scan_state=checked.scan_state, uploaded_by=by)
        attachment.file.save("upload", upload, save=False)
        attachment.save()
        audit_record(action="report.attachment_add", obj=attachment, by=by,
                     after={"name": checked.name, "sha256": checked.sha256},
                     dossier_id=report.agreement.dossier_id, call_id=report.agreement.call_id)
    return attachment


def report_attachment_remove(*, attachment: ReportAttachment, by) -> None:
    _ensure_writable(attachment.report, by)
    with transaction.atomic():
        audit_record(action="report.attachment_remove", obj=attachment, by=by,
                     before={"name": attachment.original_name, "sha256": attachment.sha256},
                     dossier_id=attachment.report.agreement.dossier_id, call_id=attachment.report.agreement.call_id)
        attachment.delete()


# --- Deposit and review ------------------------------------------------------------------------------


def _value_text(value: IndicatorValue | None, indicator: Indicator) -> str:
    if value is None:
        return ""
    if indicator.kind in (IndicatorKind.INTEGER, IndicatorKind.MONEY):
        return str(value.number_int)
    if indicator.kind == IndicatorKind.DECIMAL:
        return f"{value.number_dec.normalize():f}"
    return value.text


def report_missing(report: Report) -> dict[str, str]:
    """What a deposit still needs: required indicators, every spent amount, explanations of large differences."""
    missing: dict[str, str] = {}
    values = {v.indicator_id for v in report.values.all()}
    for indicator in indicators_for(report):
        if indicator.required and indicator.pk not in values:
            missing[f"ind-{indicator.code}"] = "Indicateur obligatoire à renseigner."
    for line in spending_ensure(report=report):
        if line.spent_eur is None:
            missing[f"spent-{line.category}"] = "Indiquez le montant dépensé (0 si rien)."
        elif abs(line.spent_eur - line.budgeted_eur) > EXPLAIN_ABOVE_SHARE * max(line.budgeted_eur, 1) \
                and not line.explanation:
            missing[f"explain-{line.category}"] = "L’écart avec le budget dépasse 15 % : expliquez-le."
    return missing


def report_snapshot(report: Report, number: int) -> dict:
    agreement = report.agreement
    values = {v.indicator_id: v for v in report.values.all()}
    lines = spending_ensure(report=report)
    return {
        "agreement": agreement.reference, "organisation": agreement.dossier.organisation.name,
        "siret": agreement.dossier.organisation.siret, "dossier": agreement.dossier.reference,
        "year": report.year, "label": report.label, "version": number,
        "period": [report.period_start.isoformat(), report.period_end.isoformat()],
        "indicators": [{"code": i.code, "label": i.label, "unit": i.unit, "kind": i.kind,
                        "value": _value_text(values.get(i.pk), i)} for i in indicators_for(report)],
        "spending": [{"category": ln.category, "label": ln.label, "budgeted_eur": ln.budgeted_eur,
                      "spent_eur": ln.spent_eur, "explanation": ln.explanation} for ln in lines],
        "spent_total_eur": sum(ln.spent_eur or 0 for ln in lines),
        "budgeted_total_eur": sum(ln.budgeted_eur for ln in lines),
        "narrative": report.narrative,
        "attachments": [{"name": a.original_name, "sha256": a.sha256, "type": a.detected_type}
                        for a in report.attachments.all()],
    }


def report_deposit(*, report: Report, by) -> ReportVersion:
    """Deposit a complete report: a fingerprinted version (the proof PDF is drawn from it), state deposited."""
    _ensure_writable(report, by)
    missing = report_missing(report)
    if missing:
        raise FollowupError("Le compte rendu n’est pas complet : complétez les champs signalés.", missing)
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("agreement__dossier__organisation").get(pk=report.pk)
        number = locked.versions.count() + 1
        snapshot = report_snapshot(locked, number)
        version = ReportVersion.objects.create(report=locked, number=number, snapshot=snapshot,
                                               sha256=fingerprint(snapshot), deposited_at=timezone.now(),
                                               deposited_by=by)
        locked.deposited_at = version.deposited_at
        locked.save(update_fields=["deposited_at"])
        report_transition(locked, R.DEPOSITED, by=by, reason=f"version {number}, empreinte {version.sha256[:12]}…")
    report.state, report.deposited_at = locked.state, locked.deposited_at
    return version


def report_review(*, report: Report, by, accept: bool, comments: dict[str, str]) -> Report:
    """Accept the deposited report (the tranche it conditions becomes due) or ask for changes, one comment per
    section concerned (at least one). The caller holds `followup.manage` on the agreement's call (checked by the
    view)."""
    comments = {k: v.strip() for k, v in comments.items() if k in ReportSection.values and v and v.strip()}
    if not accept and not comments:
        raise FollowupError("Indiquez au moins une remarque : le lauréat doit savoir quoi modifier.",
                            {"comments": "Remplissez au moins une rubrique."})
    with transaction.atomic():
        if accept:
            return report_transition(report, R.ACCEPTED, by=by, reason=comments.get(ReportSection.GENERAL, ""))
        version = report.versions.order_by("-number").first()
        now = timezone.now()
        ReportComment.objects.bulk_create(
            ReportComment(report=report, version_number=version.number if version else 0, section=section,
                          text=text, by=by, at=now) for section, text in comments.items())
        reason = "\n".join(f"{ReportSection(s).label} : {t}" for s, t in comments.items())
        return report_transition(report, R.CHANGES_REQUESTED, by=by, reason=reason)


def _release_tranches(*, report: Report, by) -> None:
    """Acceptance of the year's report makes the tranche it conditions due."""
    for tranche in report.agreement.tranches.filter(release=Release.REPORT, after_report_year=report.year,
                                                    state=TrancheState.WAITING):
        tranche_transition(tranche, TrancheState.DUE, by=by, reason=f"Compte rendu de l’année {report.year} accepté")


REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    R.TO_FILL: frozenset({R.DEPOSITED}),
    R.DEPOSITED: frozenset({R.CHANGES_REQUESTED, R.ACCEPTED}),
    R.CHANGES_REQUESTED: frozenset({R.DEPOSITED}),
    R.ACCEPTED: frozenset(),
}
REPORT_ON_ENTER: dict[str, tuple[Callable, ...]] = {R.ACCEPTED: (_release_tranches,)}
REPORT_NOTIFICATIONS = {
    R.DEPOSITED: ("Compte rendu déposé", "Votre compte rendu a bien été déposé ; son attestation de dépôt est "
                  "téléchargeable dans votre espace de suivi."),
    R.CHANGES_REQUESTED: ("Compte rendu à compléter", "Le service instructeur vous demande de modifier votre "
                          "compte rendu. Ses remarques :"),
    R.ACCEPTED: ("Compte rendu accepté", "Votre compte rendu a été accepté."),
}


def report_transition(report: Report, to: str, *, by, reason: str = "") -> Report:
    """Move the report to `to` if the table allows it: saved, audited, follow-ups run, webhook and e-mail queued."""
    to = R(to)
    with transaction.atomic():
        current = Report.objects.select_for_update().only("state").get(pk=report.pk).state
        if to not in REPORT_TRANSITIONS[current]:
            raise FollowupError(f"Un compte rendu « {R(current).label} » ne peut pas passer à l’état « {to.label} ».")
        report.state, report.state_changed_at = to, timezone.now()
        fields = ["state", "state_changed_at"]
        if to == R.ACCEPTED:
            report.accepted_at = report.state_changed_at
            fields.append("accepted_at")
        report.save(update_fields=fields)
        figures_refresh(agreements=Agreement.objects.filter(pk=report.agreement_id))
        agreement = report.agreement
        audit_record(action="report.transition", obj=report, by=by, before={"state": current}, after={"state": to},
                     reason=reason, dossier_id=agreement.dossier_id, call_id=agreement.call_id)
        for action in REPORT_ON_ENTER.get(to, ()):
            action(report=report, by=by)
        webhook_queue(agreement=agreement, event="report.state_changed", data={
            "report": {"year": report.year, "state": to, "previous_state": current}})
        subject, body = REPORT_NOTIFICATIONS[to]
        emails_queue(emails=[_email(agreement, f"{subject} (année {report.year})",
                                    body + (f"\n\n{reason}" if reason and to == R.CHANGES_REQUESTED else ""))])
    return report


# --- Reminders ---------------------------------------------------------------------------------------


def reports_remind(*, today: dt.date | None = None) -> int:
    """Queue the reminders that are due: N days before the due date (the call's list) and every K days when late;
    each kind once per report (a `ReportReminder` row), so running it twice a day sends nothing more."""
    today = today or timezone.localdate()
    reports = (Report.objects.filter(state__in=APPLICANT_EDITABLE_REPORT_STATES,
                                     agreement__state=AgreementState.IN_FORCE)
               .select_related("agreement__call__followup_settings", "agreement__dossier__owner",
                               "agreement__dossier__organisation")
               .prefetch_related("reminders"))
    emails, rows = [], []
    now = timezone.now()
    for report in reports:
        conf = report.agreement.call.followup_settings
        days = (report.due_on - today).days
        sent = {r.kind for r in report.reminders.all()}
        kind = None
        if days >= 0:
            ahead = [d for d in conf.reminder_days_before if days <= d]
            if ahead and f"before-{min(ahead)}" not in sent:
                kind = f"before-{min(ahead)}"
                body = (f"Votre {report.label.lower()} est à rendre au plus tard le {report.due_on:%d/%m/%Y} "
                        f"(dans {days} jour{'s' if days > 1 else ''}).")
        else:
            rank = (-days - 1) // conf.late_reminder_every_days + 1
            if f"late-{rank}" not in sent:
                kind = f"late-{rank}"
                body = (f"Votre {report.label.lower()} était à rendre le {report.due_on:%d/%m/%Y} : il a "
                        f"{-days} jour{'s' if -days > 1 else ''} de retard. La tranche suivante attend son acceptation."
                        )
        if kind:
            emails.append(_email(report.agreement, "Rappel : compte rendu annuel", body))
            rows.append(ReportReminder(report=report, kind=kind, sent_at=now))
    with transaction.atomic():
        ReportReminder.objects.bulk_create(rows, ignore_conflicts=True)
        if emails:
            emails_queue(emails=emails)
    return len(rows)


_LAST_REMINDER_PASS: dict[str, float] = {}
REMINDER_PASS_SECONDS = 3600


def reports_remind_hourly() -> int:
    """For the job worker (`run-jobs`): a reminder pass at most once an hour per process (a pass reads every open
    report); what a pass queues is sent by the outbox, each reminder once."""
    import time

    now = time.monotonic()
    last = _LAST_REMINDER_PASS.get("at")
    if last is not None and now - last < REMINDER_PASS_SECONDS:
        return 0
    _LAST_REMINDER_PASS["at"] = now
    return reports_remind()
