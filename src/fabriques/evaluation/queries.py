"""Reads of the evaluation side shaped for the pages: settings, an evaluator's list, loads, the grid."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from fabriques.accounts.capabilities import roles_with
from fabriques.accounts.models import OrganisationMember, User
from fabriques.audit.models import AuditEntry
from fabriques.calls.models import Criterion
from fabriques.dossiers.enums import EVALUATION_STATES, BudgetKind, ChargeCategory, DossierState, ResourceCategory
from fabriques.dossiers.models import Answer, Dossier
from fabriques.evaluation.enums import AssignmentState, EvaluationState
from fabriques.evaluation.models import Assignment, Evaluation, EvaluatorScope, WaveEvaluationSettings

IN_PLAY = (AssignmentState.AWAITING_DECLARATION, AssignmentState.ACTIVE)


def counted(prefix: str = "") -> Q:
    """The evaluations that count (consolidation, calibration, peers, feedback): submitted, by an evaluator whose
    assignment is still active. `prefix` reaches the evaluation from another model, e.g. "evaluation__" from Score."""
    return Q(**{f"{prefix}state": EvaluationState.SUBMITTED, f"{prefix}assignment__state": AssignmentState.ACTIVE})


def settings_for_wave(wave_id: int) -> WaveEvaluationSettings:
    """The wave's settings, or the defaults (unsaved) when none were stored."""
    return WaveEvaluationSettings.objects.filter(wave_id=wave_id).first() or WaveEvaluationSettings(wave_id=wave_id)


def my_assignments(user) -> QuerySet[Assignment]:
    """The evaluator's assignments still in play, with what the list shows, in one query: what is still to do first
    (declarations, then grids to write or to finish after a reopening), then the finished ones (`todo` is 1 or 0)."""
    submitted = Q(evaluation__state=EvaluationState.SUBMITTED)
    open_dossier = Q(dossier__state__in=EVALUATION_STATES)
    return (
        Assignment.objects.filter(evaluator=user, state__in=IN_PLAY)
        .select_related("dossier__track", "dossier__place_commune", "dossier__wave", "evaluation")
        .annotate(rank=Case(
            When(Q(state=AssignmentState.AWAITING_DECLARATION) & open_dossier, then=Value(0)),
            When(open_dossier & ~submitted, then=Value(1)),
            default=Value(2), output_field=IntegerField(),
        ))
        .annotate(todo=Case(When(rank__lt=2, then=Value(1)), default=Value(0), output_field=IntegerField()))
        .order_by("rank", F("evaluation__submitted_at").desc(nulls_last=True), "dossier__reference")
    )


def evaluators_of_call(call, wave) -> QuerySet[User]:
    """Evaluators of the call with their scopes and their load on the wave (in play, submitted)."""
    in_wave = Q(assignments__dossier__wave=wave)
    return (
        User.objects.filter(call_roles__call=call, call_roles__role__in=roles_with("evaluation.evaluate"))
        .annotate(
            load=Count("assignments", filter=in_wave & Q(assignments__state__in=IN_PLAY), distinct=True),
            submitted=Count(
                "assignments",
                filter=in_wave & Q(assignments__state=AssignmentState.ACTIVE,
                                   assignments__evaluation__state=EvaluationState.SUBMITTED),
                distinct=True,
            ),
            conflicts=Count("assignments", filter=in_wave & Q(assignments__state=AssignmentState.CONFLICT),
                            distinct=True),
        )
        .prefetch_related(
            Prefetch("evaluator_scopes", queryset=EvaluatorScope.objects.filter(call=call).select_related("track"))
        )
        .order_by("last_name", "email")
    )


def places_to_fill(wave, within: QuerySet[Dossier]) -> list[Dossier]:
    """Dossiers of the wave in evaluation (among `within`, those the person manages) with fewer evaluators in play
    than the wave's « N par dossier » (a conflict nobody could take over, an evaluator removed), in one query;
    each with `missing`."""
    wanted = settings_for_wave(wave.pk).evaluators_per_dossier
    return list(
        within.filter(wave=wave, state=DossierState.IN_EVALUATION)
        .annotate(in_play=Count("assignments", filter=Q(assignments__state__in=IN_PLAY), distinct=True))
        .filter(in_play__lt=wanted)
        .annotate(missing=Value(wanted) - F("in_play"))
        .only("uuid", "reference").order_by("reference")
    )


def dossier_assignments(dossier: Dossier) -> list[Assignment]:
    return list(
        dossier.assignments.select_related("evaluator", "evaluation", "declaration").order_by("assigned_at", "pk")
    )


@dataclass
class GridLine:
    criterion: Criterion
    answer: str


def grid_lines(dossier: Dossier, deposited=None) -> list[GridLine]:
    """The dossier's answer criterion by criterion, for the criteria of its track: as deposited (`deposited`, a
    `dossiers.queries.DepositedVersion`), never the live text the applicant may have changed since; the live rows
    only for a dossier without any deposit (built directly in state, as some tests do)."""
    criteria = list(Criterion.objects.filter(tracks=dossier.track_id).order_by("position"))
    if deposited is not None:
        return [GridLine(c, deposited.answers.get(c.code, "")) for c in criteria]
    answers = dict(Answer.objects.filter(dossier=dossier).values_list("criterion_id", "text"))
    return [GridLine(c, answers.get(c.pk, "")) for c in criteria]


@dataclass
class BudgetTable:
    """The deposited budget as the evaluator reads it: lines per year (charges, then resources) and totals."""

    rows: list[dict]
    summary: object  # dossiers.queries.BudgetSummary


def budget_table(deposited) -> BudgetTable | None:
    if deposited is None:
        return None
    labels = {**dict(ChargeCategory.choices), **dict(ResourceCategory.choices)}
    order = {BudgetKind.CHARGE: 0, BudgetKind.RESOURCE: 1}
    rows = [
        {"year": ln.year, "kind": "Charge" if ln.kind == BudgetKind.CHARGE else "Ressource",
         "category": labels.get(ln.category, ln.category), "label": ln.label or ln.cofunder or "",
         "amount": ln.amount_eur, "state_request": ln.is_state_request}
        for ln in sorted(deposited.lines, key=lambda ln: (ln.year, order.get(ln.kind, 2)))
    ]
    return BudgetTable(rows=rows, summary=deposited.budget)


def reopen_reason(evaluation: Evaluation) -> str:
    """Why the evaluation was last reopened (the audited reason), while it waits to be submitted again."""
    if evaluation.state != EvaluationState.DRAFT or not evaluation.reopened_count:
        return ""
    entry = (AuditEntry.objects.filter(action="evaluation.reopen", object_type="evaluation.evaluation",
                                       object_id=str(evaluation.pk)).order_by("-at", "-pk").values("reason").first())
    return entry["reason"] if entry else ""


@dataclass
class ApplicantPeople:
    """Who acts for the dossier, for an evaluator judging a conflict of interest."""

    organisation: object
    siren: str
    people: list[str]  # « Prénom Nom (e-mail) — rôle »


def applicant_people(dossier: Dossier) -> ApplicantPeople:
    """The organisation (name, SIREN, commune) and the people of the dossier: owner, members, co-writers."""
    organisation = dossier.organisation
    seen, people = set(), []

    def add(user_or_email, role: str) -> None:
        email = getattr(user_or_email, "email", user_or_email)
        if email in seen:
            return
        seen.add(email)
        name = user_or_email.get_full_name() if hasattr(user_or_email, "get_full_name") else ""
        people.append(f"{name} ({email}) — {role}" if name else f"{email} — {role}")

    add(dossier.owner, "auteur du dossier")
    for member in OrganisationMember.objects.filter(organisation=organisation).select_related("user").order_by(
            "joined_at"):
        add(member.user, "membre de l’organisation")
    for invitation in dossier.cowriters.select_related("accepted_by").order_by("created_at"):
        add(invitation.accepted_by or invitation.email,
            "co-rédacteur" if invitation.accepted_at else "co-rédacteur invité")
    siret = organisation.siret or ""
    return ApplicantPeople(organisation=organisation, siren=f"{siret[:3]} {siret[3:6]} {siret[6:9]}".strip(),
                           people=people)


def peer_evaluations(assignment: Assignment) -> list[Evaluation]:
    """Submitted evaluations of the other active evaluators of the same dossier."""
    return list(
        Evaluation.objects.filter(counted(), assignment__dossier_id=assignment.dossier_id)
        .exclude(assignment=assignment)
        .select_related("assignment__evaluator")
        .prefetch_related("scores__criterion")
        .order_by("submitted_at")
    )
