"""The admissibility review: the checklist computed from the data, lines confirmed by hand (an
override needs a reason), the start of the instruction and the admissible/inadmissible decision."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from fabriques.accounts.company_lookup import registry_legal_form_check
from fabriques.audit.domain import audit_record
from fabriques.calls.appeal import appeal_text
from fabriques.calls.kinds import CHECKLIST_ITEMS, ChecklistItem, checklist_item_register
from fabriques.dossiers import queries as dossier_queries
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.dossiers.workflow import dossier_transition
from fabriques.instruction.enums import Admissibility, CheckItem, CheckStatus
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.models import (
    AdmissibilityCheck,
    Instruction,
)
from fabriques.instruction.routing import dossier_route

S = DossierState


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
