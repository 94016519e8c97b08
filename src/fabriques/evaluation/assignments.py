"""Evaluators on dossiers: manual and automatic assignment, removal, declarations of interests.

Every change is audited; states change through `lifecycle.assignment_transition` and the dossier's
through `dossier_transition`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fabriques.accounts.capabilities import can, roles_with
from fabriques.accounts.models import CallRole, User
from fabriques.audit.domain import audit_record, audit_record_many
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.dossiers.workflow import dossier_transition, dossiers_transition_many
from fabriques.evaluation import notices
from fabriques.evaluation.assignment import DossierToAssign, Evaluator, assign_evaluators
from fabriques.evaluation.dossier_scores import dossier_progress, dossier_scores_refresh
from fabriques.evaluation.enums import (
    AssignmentMethod,
    AssignmentState,
    ConflictKind,
)
from fabriques.evaluation.errors import EvaluationError
from fabriques.evaluation.lifecycle import assignment_transition
from fabriques.evaluation.models import (
    Assignment,
    ConflictDeclaration,
    Evaluation,
    EvaluatorScope,
)
from fabriques.evaluation.organisation_conflicts import organisation_conflicts
from fabriques.evaluation.queries import IN_PLAY, settings_for_wave
from fabriques.mail.domain import Email, emails_queue

ASSIGNABLE_STATES = frozenset({DossierState.ADMISSIBLE, DossierState.IN_EVALUATION})


def _assignments_email(evaluator: User, dossiers: list[Dossier]) -> Email:
    link = settings.SITE_URL.rstrip("/") + reverse("evaluation:mine")
    lines = "\n".join(f"- {d.reference} ({d.track.short_title})" for d in dossiers)
    return Email(
        subject=f"[Fabriques] {len(dossiers)} dossier(s) à évaluer",
        body=(
            "Bonjour,\n\nLes dossiers suivants vous ont été confiés pour évaluation :\n"
            f"{lines}\n\nAvant de lire chaque dossier, déclarez tout conflit d’intérêts.\n{link}\n\n"
            "L’équipe Fabriques"
        ),
        to=[evaluator.email],
    )


def _start_evaluation(dossier: Dossier, by) -> None:
    if dossier.state == DossierState.ADMISSIBLE:
        dossier_transition(dossier, DossierState.IN_EVALUATION, by=by, reason="Évaluateurs désignés")


class EvaluatorCountError(EvaluationError):
    """The dossier already has the number of evaluators its wave asks for."""

    field = "evaluator"


def _check_room(dossier: Dossier) -> None:
    """Refuse a further evaluator once the wave's « N par dossier » are in play (call within the transaction)."""
    type(dossier).objects.select_for_update().filter(pk=dossier.pk).first()  # concurrent assignments queue here
    wanted = settings_for_wave(dossier.wave_id).evaluators_per_dossier
    in_play = Assignment.objects.filter(dossier=dossier, state__in=IN_PLAY).count()
    if in_play >= wanted:
        raise EvaluatorCountError(
            f"Ce dossier a déjà {in_play} évaluateur(s) : la vague en prévoit {wanted} par dossier. Retirez d’abord "
            "un évaluateur, ou changez ce nombre dans les réglages d’évaluation de la vague."
        )


def assignment_create(*, dossier: Dossier, evaluator, by) -> Assignment:
    """Assign one evaluator of the call to an admissible or in-evaluation dossier; audited and e-mailed."""
    call_id = dossier.wave.call_id
    if dossier.state not in ASSIGNABLE_STATES | {DossierState.EVALUATED}:
        raise EvaluationError(f"Un dossier « {dossier.get_state_display()} » ne peut pas recevoir d’évaluateur.")
    if not can(evaluator, "evaluation.evaluate", call_id):
        raise EvaluationError("Cette personne n’est pas évaluatrice sur cet appel.")
    with transaction.atomic():
        existing = Assignment.objects.select_for_update().filter(dossier=dossier, evaluator=evaluator).first()
        if existing is not None and existing.state != AssignmentState.REMOVED:
            raise EvaluationError(
                f"{evaluator.email} est déjà désigné sur ce dossier ({existing.get_state_display().lower()})."
            )
        _check_room(dossier)
        assignment = existing or Assignment(dossier=dossier, evaluator=evaluator)  # new: awaiting a declaration
        assignment.method = AssignmentMethod.MANUAL
        assignment.assigned_by = by if by is not None and by.is_authenticated else None
        assignment.assigned_at = timezone.now()
        designation = {"evaluator": evaluator.email, "method": AssignmentMethod.MANUAL}
        if existing is None:
            assignment.save()
            audit_record(action="evaluation.assign", obj=assignment, by=by, after=designation,
                         dossier_id=dossier.pk, call_id=call_id)
        else:  # removed earlier, designated again
            assignment_transition(assignment, AssignmentState.AWAITING_DECLARATION, by=by,
                                  action="evaluation.assign", after=designation,
                                  fields=["method", "assigned_by", "assigned_at"])
        if dossier.state == DossierState.EVALUATED:
            dossier_transition(dossier, DossierState.IN_EVALUATION, by=by, reason="Évaluateur ajouté")
        _start_evaluation(dossier, by)
        emails_queue(emails=[_assignments_email(evaluator, [dossier])])
    return assignment


@dataclass(frozen=True)
class Shortfall:
    reference: str
    uuid: str
    missing: int


@dataclass
class AutoSummary:
    """What an automatic assignment did, for the page that shows it."""

    created: int = 0
    dossiers: int = 0
    evaluators: int = 0
    per_dossier: int = 0
    min_load: int = 0
    max_load: int = 0
    status: str = "optimal"
    shortfalls: list[Shortfall] = field(default_factory=list)  # dossiers short of evaluators


def _solver_evaluators(call) -> list[Evaluator]:
    ids = list(CallRole.objects.filter(call=call, role__in=roles_with("evaluation.evaluate")).values_list(
        "user_id", flat=True))
    tracks, regions, wide_tracks, wide_regions = defaultdict(set), defaultdict(set), set(), set()
    for user_id, slug, region in EvaluatorScope.objects.filter(call=call, user_id__in=ids).values_list(
        "user_id", "track__slug", "region_code"
    ):
        (tracks[user_id].add(slug) if slug else wide_tracks.add(user_id))
        (regions[user_id].add(region) if region else wide_regions.add(user_id))
    return [
        Evaluator(
            uid,
            tracks=frozenset() if uid in wide_tracks else frozenset(tracks[uid]),
            regions=frozenset() if uid in wide_regions else frozenset(regions[uid]),
        )
        for uid in ids
    ]


def _auto_plan(wave, per_dossier: int, within=None) -> tuple[dict[int, Dossier], AutoSummary, list[tuple[int, int]]]:
    """Read the wave's dossiers (those of `within` only, when given), evaluators, scopes and assignments, and solve."""
    found = Dossier.objects.filter(wave=wave, state__in=ASSIGNABLE_STATES)
    if within is not None:
        found = found.filter(pk__in=within.values("pk"))
    dossiers = {
        d.pk: d for d in found
        .select_related("track", "place_commune", "wave", "owner", "organisation").order_by("pk")
    }
    evaluators = _solver_evaluators(wave.call)
    pairs = Assignment.objects.filter(dossier__in=list(dossiers)).values_list("dossier_id", "evaluator_id", "state")
    # A conflict declared on one dossier of an organisation holds for its other dossiers (same SIREN).
    across = organisation_conflicts(dossiers=dossiers.values(), evaluator_ids=[e.id for e in evaluators])
    result = assign_evaluators(
        dossiers=[
            DossierToAssign(d.pk, d.track.slug, d.place_commune.region_code if d.place_commune else "")
            for d in dossiers.values()
        ],
        evaluators=evaluators, per_dossier=per_dossier,
        conflicts=[(d, e) for d, e, state in pairs if state not in IN_PLAY] + list(across),
        existing=[(d, e) for d, e, state in pairs if state in IN_PLAY],
    )
    summary = AutoSummary(
        created=len(result.pairs), dossiers=len(dossiers), evaluators=len(evaluators), per_dossier=per_dossier,
        min_load=result.min_load, max_load=result.max_load, status=result.status,
        shortfalls=sorted(
            (Shortfall(dossiers[d].reference, str(dossiers[d].uuid), n) for d, n in result.shortfalls.items()),
            key=lambda s: s.reference,
        ),
    )
    return dossiers, summary, result.pairs


def assignments_auto(*, wave, by, per_dossier: int | None = None, within=None,
                     reason: str = "Affectation automatique") -> AutoSummary:
    """Give every admissible or in-evaluation dossier of the wave (of `within`, a queryset of dossiers the person
    manages, when given) N allowed evaluators with even loads, never one in conflict with its organisation."""
    per_dossier = per_dossier or settings_for_wave(wave.pk).evaluators_per_dossier
    by_user = by if by is not None and by.is_authenticated else None
    with transaction.atomic():
        type(wave).objects.select_for_update().filter(pk=wave.pk).first()  # one automatic run at a time per wave
        dossiers, summary, pairs = _auto_plan(wave, per_dossier, within)
        now = timezone.now()
        Assignment.objects.bulk_create(
            Assignment(dossier_id=d, evaluator_id=e, method=AssignmentMethod.AUTO, assigned_by=by_user,
                       assigned_at=now, state=AssignmentState.AWAITING_DECLARATION)
            for d, e in pairs
        )
        users = {u.pk: u for u in User.objects.filter(pk__in={e for _, e in pairs})}
        per_dossier_new: dict[int, list[int]] = defaultdict(list)
        per_evaluator: dict[int, list[Dossier]] = defaultdict(list)
        for dossier_id, evaluator_id in pairs:
            per_dossier_new[dossier_id].append(evaluator_id)
            per_evaluator[evaluator_id].append(dossiers[dossier_id])
        audit_record_many(entries=[
            {"action": "evaluation.assign", "obj": dossiers[dossier_id], "by": by, "reason": reason,
             "after": {"evaluators": sorted(users[e].email for e in evaluator_ids), "method": AssignmentMethod.AUTO},
             "dossier_id": dossier_id, "call_id": wave.call_id}
            for dossier_id, evaluator_ids in per_dossier_new.items()
        ])
        starting = [dossiers[d] for d in per_dossier_new if dossiers[d].state == DossierState.ADMISSIBLE]
        dossiers_transition_many(starting, DossierState.IN_EVALUATION, by=by, reason="Évaluateurs désignés")
        audit_record(action="evaluation.assign_auto", obj=wave, by=by, call_id=wave.call_id, reason=reason,
                     after={"created": summary.created, "per_dossier": per_dossier,
                            "shortfalls": {s.reference: s.missing for s in summary.shortfalls}})
        emails_queue(emails=[_assignments_email(users[e], ds) for e, ds in per_evaluator.items()])
    return summary


def assignment_remove(*, assignment: Assignment, by, reason: str = "") -> Assignment:
    """Withdraw an assignment (its evaluation no longer counts); audited; consolidation refreshed."""
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("dossier__wave", "evaluator").get(
            pk=assignment.pk
        )
        if assignment.state not in IN_PLAY:
            raise EvaluationError("Cette affectation n’est plus en cours.")
        assignment_transition(assignment, AssignmentState.REMOVED, by=by, action="evaluation.unassign",
                              after={"evaluator": assignment.evaluator.email}, reason=reason)
        dossier = assignment.dossier
        dossier_scores_refresh(dossier=dossier)
        dossier_progress(dossier, by)
    return assignment


def conflict_declare(*, assignment: Assignment, has_conflict: bool, kind: str = "", details: str = "",
                     by) -> ConflictDeclaration:
    """Record the evaluator's declaration: a conflict withdraws the assignment, none opens the file."""
    if by is None or assignment.evaluator_id != by.pk:
        raise EvaluationError("Seule la personne désignée peut déclarer ses liens d’intérêts.")
    if has_conflict and kind not in ConflictKind.values:
        raise EvaluationError("Précisez la nature du lien.")
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("dossier__wave").get(pk=assignment.pk)
        if assignment.state != AssignmentState.AWAITING_DECLARATION:
            raise EvaluationError("La déclaration a déjà été faite pour ce dossier.")
        declaration = ConflictDeclaration.objects.create(
            assignment=assignment, has_conflict=has_conflict, kind=kind if has_conflict else "",
            details=details.strip(), declared_at=timezone.now(),
        )
        assignment_transition(assignment, AssignmentState.CONFLICT if has_conflict else AssignmentState.ACTIVE,
                              by=by, action="evaluation.declare", reason=declaration.details,
                              after={"conflict": has_conflict, "kind": declaration.kind})
        if not has_conflict:
            Evaluation.objects.get_or_create(assignment=assignment)  # born a draft
        dossier = assignment.dossier
        if has_conflict:
            _slot_refill(dossier, evaluator=by)
            dossier_progress(dossier, by)
    return declaration


def _slot_refill(dossier: Dossier, *, evaluator) -> None:
    """After a declared conflict: give the freed place to another allowed evaluator (automatic assignment of this
    dossier alone, one place), and tell the dossier's managers who replaces them or that a place is to be filled."""
    wanted = settings_for_wave(dossier.wave_id).evaluators_per_dossier
    in_play = Assignment.objects.filter(dossier=dossier, state__in=IN_PLAY).count()
    if in_play >= wanted:
        return
    before = set(Assignment.objects.filter(dossier=dossier).values_list("evaluator_id", flat=True))
    summary = assignments_auto(
        wave=dossier.wave, by=None, per_dossier=in_play + 1, within=Dossier.objects.filter(pk=dossier.pk),
        reason=f"Remplacement de {evaluator.email} (conflit d’intérêts déclaré)",
    )
    replacements = list(User.objects.filter(
        assignments__dossier=dossier, assignments__state=AssignmentState.AWAITING_DECLARATION,
    ).exclude(pk__in=before).order_by("email"))
    notices.conflict_to_managers(dossier=dossier, evaluator=evaluator, replacements=replacements,
                                 missing=wanted - in_play - summary.created, wanted=wanted)
