"""Writes of the instruction: routing, the admissibility review, complements and messages."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fabriques.accounts.capabilities import roles_with
from fabriques.accounts.company_lookup import registry_legal_form_check
from fabriques.accounts.models import User
from fabriques.audit.domain import audit_record
from fabriques.calls.appeal import appeal_text
from fabriques.calls.kinds import CHECKLIST_ITEMS, ChecklistItem, checklist_item_register
from fabriques.dossiers import queries as dossier_queries
from fabriques.dossiers.domain import fingerprint
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.filetypes import detect_type, safe_name
from fabriques.dossiers.models import Dossier, DossierVersion
from fabriques.dossiers.workflow import dossier_transition
from fabriques.instruction.enums import Admissibility, CheckItem, CheckStatus, ComplementState
from fabriques.instruction.models import (
    AdmissibilityCheck,
    ComplementItem,
    ComplementRequest,
    DashboardPreference,
    Instruction,
    InstructionGroup,
    Message,
    RoutingRule,
)
from fabriques.mail.domain import email_queue
from fabriques.refusal import Refusal
from fabriques.security.antivirus import scan_upload

S = DossierState


class InstructionError(Refusal):
    """An instruction action that cannot be done; the message is for the person."""


# --- Routing -------------------------------------------------------------------------------


def national_group(*, call) -> InstructionGroup:
    """The call's national group, created on first use: it receives every unrouted dossier."""
    group, _ = InstructionGroup.objects.get_or_create(
        call=call, is_national=True, defaults={"slug": "national", "name": "Instruction nationale"}
    )
    return group


def group_for_place(*, call, region_code: str, departement_code: str) -> InstructionGroup:
    """A département rule wins over a région rule; nothing matching: the national group."""
    rules = RoutingRule.objects.filter(group__call=call).select_related("group")
    by_dep = {r.departement_code: r.group for r in rules if r.departement_code}
    by_region = {r.region_code: r.group for r in rules if r.region_code and not r.departement_code}
    return by_dep.get(departement_code) or by_region.get(region_code) or national_group(call=call)


def dossier_route(*, dossier: Dossier, by=None) -> Instruction:
    """Route a deposited dossier to its group from the place's commune; a routed dossier keeps its group."""
    existing = Instruction.objects.filter(dossier=dossier).select_related("group").first()
    if existing is not None:
        return existing
    commune = dossier.place_commune
    group = group_for_place(
        call=dossier.wave.call,
        region_code=commune.region_code if commune else "",
        departement_code=commune.departement_code if commune else "",
    )
    instruction = Instruction.objects.create(
        dossier=dossier, group=group, routed_at=timezone.now(), is_qpv=qpv_from_report(dossier.eligibility_report)
    )
    audit_record(
        action="dossier.routed",
        obj=instruction,
        by=by,
        after={"group": group.name},
        dossier_id=dossier.pk,
        call_id=dossier.wave.call_id,
    )
    return instruction


def qpv_from_report(report: dict) -> bool | None:
    """In or near a QPV according to the stored eligibility report; None when it could not be computed."""
    for result in (report or {}).get("results", []):
        if result.get("kind") == "qpv_proximity" and result.get("status") in ("pass", "fail"):
            return result["status"] == "pass"
    qpv = ((report or {}).get("location") or {}).get("qpv") or {}
    if qpv.get("inside") is not None and qpv.get("code"):
        return bool(qpv["inside"])
    return None


def territory_class_set(*, dossier: Dossier, is_rural: bool | None, is_qpv: bool | None, by) -> Instruction:
    """The instructor states whether the place is outside large urban centres and in/near a QPV (logged)."""
    instruction = dossier_route(dossier=dossier, by=by)
    before = {"is_rural": instruction.is_rural, "is_qpv": instruction.is_qpv}
    instruction.is_rural, instruction.is_qpv = is_rural, is_qpv
    instruction.save(update_fields=["is_rural", "is_qpv"])
    audit_record(
        action="dossier.territory_class",
        obj=instruction,
        by=by,
        before=before,
        after={"is_rural": is_rural, "is_qpv": is_qpv},
        dossier_id=dossier.pk,
        call_id=dossier.wave.call_id,
    )
    return instruction


def dossier_reroute(*, dossier: Dossier, group: InstructionGroup, by, reason: str) -> Instruction:
    """Move a dossier to another group of the same call, by hand, with a logged reason."""
    if group.call_id != dossier.wave.call_id:
        raise InstructionError("Ce groupe n’appartient pas à l’appel du dossier.")
    if not reason.strip():
        raise InstructionError("Indiquez le motif de la réorientation.")
    instruction = dossier_route(dossier=dossier, by=by)
    before = instruction.group.name
    instruction.group = group
    instruction.routed_manually = True
    instruction.routed_at = timezone.now()
    instruction.save(update_fields=["group", "routed_manually", "routed_at"])
    audit_record(
        action="dossier.rerouted",
        obj=instruction,
        by=by,
        before={"group": before},
        after={"group": group.name},
        reason=reason,
        dossier_id=dossier.pk,
        call_id=dossier.wave.call_id,
    )
    return instruction


# --- Admissibility -------------------------------------------------------------------------


def _legal_form_check(dossier: Dossier) -> tuple[str, str]:
    forms = {f.code: f.label for f in dossier.wave.call.legal_forms.all()}
    legal_form = dossier.organisation.legal_form
    from_registry = registry_legal_form_check(dossier.organisation, forms)  # automatic when the directory answered
    return (
        (CheckStatus(from_registry[0]), from_registry[1]) if from_registry
        else (CheckStatus.OK, f"{forms[legal_form]} : forme éligible.")
        if legal_form in forms
        else (CheckStatus.KO, "La forme juridique ne figure pas parmi les formes éligibles de l’appel.")
    )


def _attachments_check(dossier: Dossier) -> tuple[str, str]:
    present = set(dossier.attachments.values_list("required_id", flat=True))
    absent = [r.label for r in dossier_queries.required_attachments_for(dossier) if r.required and r.pk not in present]
    return (
        (CheckStatus.KO, "Pièces manquantes : " + ", ".join(absent) + ".")
        if absent
        else (CheckStatus.OK, "Toutes les pièces obligatoires sont présentes.")
    )


def _budget_check(dossier: Dossier) -> tuple[str, str]:
    budget = dossier_queries.budget_summary(dossier)
    return (
        (CheckStatus.KO, " ".join(budget.problems))
        if budget.problems
        else (CheckStatus.OK, "Montant dans les bornes de l’entrée, budget équilibré.")
    )


def _location_check(dossier: Dossier) -> tuple[str, str]:
    report = dossier.eligibility_report or {}
    reasons = " ".join(r.get("reason", "") for r in report.get("results", []))
    status = {"pass": CheckStatus.OK, "fail": CheckStatus.KO}.get(dossier.eligibility_status, CheckStatus.PENDING)
    return (status, reasons or "Éligibilité non calculée : à vérifier par l’instructeur.")


def checklist_items_register() -> None:
    """The checklist lines this app computes, for definitions to name (called from InstructionConfig.ready)."""
    for item, compute in ((CheckItem.LEGAL_FORM, _legal_form_check), (CheckItem.ATTACHMENTS, _attachments_check),
                          (CheckItem.BUDGET, _budget_check), (CheckItem.LOCATION, _location_check)):
        checklist_item_register(ChecklistItem(item.value, item.label, compute))


def _computed_checks(dossier: Dossier) -> dict[str, tuple[str, str]]:
    """The checklist as the data says it: item -> (status, detail), for the lines the call's definition names."""
    names = dossier.wave.call.checklist or list(CHECKLIST_ITEMS)
    return {name: CHECKLIST_ITEMS[name].compute(dossier) for name in names}


def checklist_refresh(*, dossier: Dossier) -> list[AdmissibilityCheck]:
    """Recompute the checklist from the dossier; a manual confirmation stays until the data says OK.

    A confirmation given while the line was open does not cover a failure: when the data now says KO, the line
    is KO again (only an explicit override, `check_confirm(override=True)`, stands against a failure).
    """
    instruction = dossier_route(dossier=dossier)
    existing = {c.item: c for c in instruction.checks.all()}
    out = []
    for item, (status, detail) in _computed_checks(dossier).items():
        check = existing.get(item) or AdmissibilityCheck(instruction=instruction, item=item)
        stands = status != CheckStatus.KO or check.overrides_failure
        if check.status == CheckStatus.MANUAL and status != CheckStatus.OK and stands:
            check.detail = detail
        else:
            if check.status == CheckStatus.MANUAL:
                check.confirmed_by, check.confirmed_reason = None, ""
            check.status, check.detail, check.overrides_failure = status, detail, False
        check.save()
        out.append(check)
    statuses = {c.status for c in out}
    summary = (
        CheckStatus.KO
        if CheckStatus.KO in statuses
        else CheckStatus.PENDING
        if CheckStatus.PENDING in statuses
        else CheckStatus.OK
    )
    if instruction.checklist_status != summary:
        instruction.checklist_status = summary
        instruction.save(update_fields=["checklist_status"])
    return out


def check_confirm(*, dossier: Dossier, item: str, by, reason: str, override: bool = False) -> AdmissibilityCheck:
    """An instructor confirms a line by hand (e.g. location near a QPV): a reason is required and logged.

    A line the data says is non-compliant (KO) is never confirmed silently: it needs `override=True`, and the
    line then carries `overrides_failure`, shown with its reason wherever the line or the eligibility is shown.
    """
    instruction = dossier_route(dossier=dossier, by=by)
    check, _ = AdmissibilityCheck.objects.get_or_create(instruction=instruction, item=item)
    failed = check.status == CheckStatus.KO
    if failed and not override:
        raise InstructionError(
            "Ce point est non conforme : il ne peut pas être simplement confirmé. Déclarez le dossier irrecevable "
            "ou, à titre exceptionnel, accordez une dérogation motivée (visible de l’instruction et du comité)."
        )
    if not reason.strip():
        raise InstructionError("Indiquez le motif de la dérogation." if failed
                               else "Indiquez pourquoi vous confirmez ce point manuellement.")
    before = check.status
    check.status, check.confirmed_by, check.confirmed_reason = CheckStatus.MANUAL, by, reason
    check.overrides_failure = failed
    check.save(update_fields=["status", "confirmed_by", "confirmed_reason", "overrides_failure"])
    audit_record(
        action="admissibility.overridden" if failed else "admissibility.confirmed",
        obj=check,
        by=by,
        before={"status": before},
        after={"status": check.status, "item": item, "override": failed},
        reason=reason,
        dossier_id=dossier.pk,
        call_id=dossier.wave.call_id,
    )
    if item == CheckItem.LOCATION and not failed:
        _qpv_confirmed(dossier=dossier, instruction=instruction, by=by, reason=reason)
    checklist_refresh(dossier=dossier)
    check.refresh_from_db()
    return check


def _qpv_confirmed(*, dossier: Dossier, instruction: Instruction, by, reason: str) -> None:
    """The location line confirmed by hand while the QPV rule was left to the instructor settles the QPV
    classification too (in or near a QPV), unless the instructor already classified the place."""
    open_qpv_rule = any(r.get("kind") == "qpv_proximity" and r.get("status") == "manual"
                        for r in (dossier.eligibility_report or {}).get("results", []))
    if not open_qpv_rule or instruction.is_qpv is not None:
        return
    instruction.is_qpv = True
    instruction.save(update_fields=["is_qpv"])
    audit_record(action="dossier.territory_class", obj=instruction, by=by, before={"is_qpv": None},
                 after={"is_qpv": True}, reason=reason, dossier_id=dossier.pk, call_id=dossier.wave.call_id)


def instruction_start_refusal(dossier: Dossier) -> str:
    """Why the instruction of this dossier cannot start now ("" when it can): pages offer the button only then."""
    if dossier.state != S.DEPOSITED:
        return f"Le dossier est « {dossier.get_state_display()} » : l’instruction ne peut pas commencer."
    if dossier.wave.closes_at > timezone.now():
        closes = timezone.localtime(dossier.wave.closes_at).strftime("%d/%m/%Y à %H:%M")
        return (f"La vague n’est pas close : le porteur peut encore modifier son dossier jusqu’au {closes}. "
                "L’instruction pourra commencer après la clôture.")
    return ""


def instruction_start(*, dossier: Dossier, by) -> Dossier:
    """Take a deposited dossier into instruction, once the wave is closed (it can still change before)."""
    refusal = instruction_start_refusal(dossier)
    if refusal:
        raise InstructionError(refusal)
    dossier_route(dossier=dossier, by=by)
    checklist_refresh(dossier=dossier)
    return dossier_transition(dossier, S.IN_INSTRUCTION, by=by)


def admissibility_decide(*, dossier: Dossier, decision: str, reason: str, by) -> Dossier:
    """Declare the dossier admissible (every check OK or confirmed) or inadmissible (a reason the applicant reads)."""
    if dossier.state != S.IN_INSTRUCTION:
        raise InstructionError("Seul un dossier en instruction peut être déclaré recevable ou irrecevable.")
    checks = checklist_refresh(dossier=dossier)
    if decision == Admissibility.ADMISSIBLE:
        blocking = [c.get_item_display() for c in checks if c.status not in (CheckStatus.OK, CheckStatus.MANUAL)]
        if blocking:
            raise InstructionError(
                "Points à lever avant de déclarer le dossier recevable : " + ", ".join(blocking) + "."
            )
    elif decision == Admissibility.INADMISSIBLE:
        if not reason.strip():
            raise InstructionError("Indiquez le motif d’irrecevabilité : le porteur le lira.")
    else:
        raise InstructionError("Décision inconnue.")
    with transaction.atomic():
        instruction = dossier.instruction
        instruction.decision, instruction.decision_reason = decision, reason
        instruction.decided_by, instruction.decided_at = by, timezone.now()
        instruction.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
        if decision == Admissibility.ADMISSIBLE:
            return dossier_transition(dossier, S.ADMISSIBLE, by=by, reason=reason)
        # An inadmissibility is a decision that refuses: its e-mail states the appeal routes and deadline.
        return dossier_transition(dossier, S.INADMISSIBLE, by=by, reason=reason,
                                  details=appeal_text(dossier.wave.call))


# --- Complements ---------------------------------------------------------------------------


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
    from fabriques.instruction.complements import request_details

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
    import uuid

    snapshot = dossier_queries.dossier_snapshot(dossier)
    number = dossier.versions.count() + 1
    snapshot["version"] = number
    version = DossierVersion.objects.create(
        dossier=dossier, number=number, snapshot=snapshot, sha256=fingerprint(snapshot), deposited_at=timezone.now(),
        deposited_by=by, submission_key=f"complements-{uuid.uuid4()}",
    )
    audit_record(action="dossier.version", obj=version, by=by, after={"number": number, "sha256": version.sha256},
                 reason="compléments", dossier_id=dossier.pk, call_id=dossier.wave.call_id)
    return version


def complements_answer(*, dossier: Dossier, answer: str, by) -> Dossier:
    """The applicant says the complements are in: instruction resumes, the checklist is recomputed and the
    instructors are told by e-mail (the dashboard lists the dossier under « compléments reçus » until they look)."""
    from fabriques.instruction.complements import complement_transition, complements_received_notify

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


# --- Messages ------------------------------------------------------------------------------


def message_post(*, dossier: Dossier, author, body: str, internal: bool = False, upload=None) -> Message:
    """Post a message on the dossier; the other side is told by e-mail (agents' internal notes are not sent)."""
    if not body.strip():
        raise InstructionError("Le message est vide.")
    message = Message(dossier=dossier, author=author, created_at=timezone.now(), body=body, internal=internal)
    if upload is not None:
        if upload.size > 10 * 1024 * 1024:
            raise InstructionError("La pièce jointe dépasse 10 Mo.")
        kind = detect_type(upload)
        if kind not in {"pdf", "png", "jpg", "odt", "docx", "ods", "xlsx"}:
            raise InstructionError("Type de fichier non accepté : PDF, image ou document bureautique seulement.")
        verdict = scan_upload(upload)
        if verdict.refusal:
            raise InstructionError(verdict.refusal)
        message.attachment_name, message.attachment_scan_state = safe_name(upload.name), verdict.state
        message.attachment.save(f"{dossier.uuid.hex}-{timezone.now():%H%M%S%f}.{kind}", upload, save=False)
    with transaction.atomic():  # the message, its audit entry and its e-mail are stored together
        message.save()
        audit_record(
            action="message.posted",
            obj=message,
            by=author,
            after={"internal": internal},
            dossier_id=dossier.pk,
            call_id=dossier.wave.call_id,
        )
        if not internal:
            _message_notify(message)
    return message


def _message_notify(message: Message) -> None:
    """Queue the e-mail telling the other side that a message was posted (in the posting transaction)."""
    dossier = message.dossier
    from_applicant = (
        message.author_id == dossier.owner_id or dossier.organisation.members.filter(user_id=message.author_id).exists()
    )
    if from_applicant:
        group = getattr(dossier, "instruction", None)
        recipients = list(group.group.members.values_list("email", flat=True)) if group else []
        link = settings.SITE_URL.rstrip("/") + reverse("instruction:dossier", args=[dossier.uuid])
    else:
        recipients = [dossier.owner.email]
        link = settings.SITE_URL.rstrip("/") + reverse("dossiers:detail", args=[dossier.uuid])
    if recipients:
        email_queue(
            subject=f"[Fabriques] Nouveau message — {dossier.reference}",
            body=f"Bonjour,\n\nUn nouveau message a été publié sur le dossier {dossier.reference}.\n\n{link}\n\n"
            "L’équipe Fabriques",
            to=recipients,
        )


def dashboard_columns_save(*, user, columns: list[str]) -> DashboardPreference:
    """Remember the agent's column choice (unknown keys dropped, order kept)."""
    from fabriques.instruction.queries import COLUMNS

    kept = [c for c in dict.fromkeys(columns) if c in COLUMNS]
    pref, _ = DashboardPreference.objects.update_or_create(user=user, defaults={"columns": kept})
    return pref


def dashboard_page_size_save(*, user, page_size: str) -> None:
    """Remember the agent's number of rows per page ("50", "100", "250" or "all"); another value is ignored."""
    from fabriques.instruction.queries import DEFAULT_COLUMNS, PAGE_SIZES

    if page_size not in PAGE_SIZES:
        return
    updated = DashboardPreference.objects.filter(user=user).exclude(page_size=page_size).update(page_size=page_size)
    if not updated:
        DashboardPreference.objects.get_or_create(user=user, defaults={"columns": DEFAULT_COLUMNS,
                                                                        "page_size": page_size})


def group_save(
    *,
    call,
    name: str,
    regions: list[str],
    departements: list[str],
    member_emails: list[str],
    by,
    group: InstructionGroup | None = None,
) -> InstructionGroup:
    """Create or update a group with its territory and instructors; unknown instructors are refused."""
    from django.utils.text import slugify

    emails = {e.strip().lower() for e in member_emails if e.strip()}
    users = list(User.objects.filter(email__in=emails, call_roles__call=call,
                                     call_roles__role__in=roles_with("instruction.group_member")))
    unknown = emails - {u.email for u in users}
    if unknown:
        raise InstructionError(
            "Ces personnes n’ont pas le rôle d’instructeur sur l’appel : " + ", ".join(sorted(unknown)) + "."
        )
    with transaction.atomic():
        if group is None:
            base = slugify(name)[:50] or "groupe"
            slug, n = base, 1
            while InstructionGroup.objects.filter(call=call, slug=slug).exists():
                n += 1
                slug = f"{base}-{n}"
            group = InstructionGroup.objects.create(call=call, name=name, slug=slug)
        else:
            group.name = name
            group.save(update_fields=["name"])
        group.rules.all().delete()
        RoutingRule.objects.bulk_create(
            [RoutingRule(group=group, region_code=r) for r in regions]
            + [RoutingRule(group=group, departement_code=d.strip()) for d in departements if d.strip()]
        )
        group.members.set(users)
        audit_record(
            action="group.saved",
            obj=group,
            by=by,
            after={"name": name, "regions": regions, "departements": departements, "members": sorted(emails)},
            call_id=call.pk,
        )
    return group
