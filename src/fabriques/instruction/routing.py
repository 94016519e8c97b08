"""Instruction groups and routing: which group instructs a dossier (département rule, then région rule,
then the call's national group), rerouting, the rural/QPV classification; groups saved by admins."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fabriques.accounts.capabilities import roles_with
from fabriques.accounts.models import User
from fabriques.audit.domain import audit_record
from fabriques.dossiers.models import Dossier
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.models import (
    Instruction,
    InstructionGroup,
    RoutingRule,
)


def national_group(*, call) -> InstructionGroup:
    """The call's national group, created on first use: it receives every unrouted dossier."""
    group, _ = InstructionGroup.objects.get_or_create(
        call=call, is_national=True, defaults={"slug": "national", "name": "Instruction nationale"}
    )
    return group


def group_for_place(*, call, region_code: str, departement_code: str) -> InstructionGroup:
    """A département rule wins over a région rule; nothing matching: the national group."""
    # Only the rules that can match (a deposit routes one dossier: 0 to 2 rows, not the call's whole table).
    rules = RoutingRule.objects.filter(group__call=call).filter(
        Q(departement_code=departement_code) | Q(region_code=region_code)
    ).select_related("group")
    by_dep = {r.departement_code: r.group for r in rules if r.departement_code}
    by_region = {r.region_code: r.group for r in rules if r.region_code and not r.departement_code}
    return by_dep.get(departement_code) or by_region.get(region_code) or national_group(call=call)


def dossier_route(*, dossier: Dossier, by=None) -> Instruction:
    """Route a deposited dossier to its group from the place's commune; a routed dossier keeps its group."""
    existing = Instruction.objects.filter(dossier=dossier).select_related("group").first()
    if existing is not None:
        return existing
    return _route_new(dossier=dossier, by=by)


def dossier_route_deposited(*, dossier: Dossier, by=None) -> None:
    """The deposit's hook (workflow ON_ENTER): route the dossier unless it already has its group. It needs nothing
    back, so an EXISTS replaces the read of the instruction and its group (a deposit during the rush)."""
    if not Instruction.objects.filter(dossier_id=dossier.pk).exists():
        _route_new(dossier=dossier, by=by)


def _route_new(*, dossier: Dossier, by) -> Instruction:
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
