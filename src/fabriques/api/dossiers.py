"""Agents' read endpoints on dossiers, their evaluations and decisions (bearer token, scoped, paginated)."""

import uuid

from django.db.models import Prefetch
from ninja import Query, Router, Schema, Status

from fabriques.accounts.capabilities import can
from fabriques.api.auth import ERRORS, TokenAuth, require_call, require_capability
from fabriques.api.dossier_schemas import DecisionOut, DossierDetailOut, DossierPage, EvaluationsOut
from fabriques.api.errors import ApiError
from fabriques.api.paging import decode_cursor, encode_cursor, limit_check
from fabriques.api.schemas import ErrorOut
from fabriques.apitokens.queries import dossiers_for_token
from fabriques.committee.models import Decision
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.evaluation.models import Evaluation, Score
from fabriques.instruction.eligibility import eligibility_of, with_eligibility

router = Router(tags=["Dossiers (agents)"], auth=TokenAuth())
ERROR_RESPONSES = dict.fromkeys(ERRORS, ErrorOut)


class DossierFilters(Schema):
    call: str | None = None
    wave: str | None = None
    track: str | None = None
    state: DossierState | None = None
    region: str | None = None
    cursor: str | None = None
    limit: int = 100


def dossier_row(d: Dossier) -> dict:
    commune = d.place_commune
    score = getattr(d, "score", None)
    return {
        "uuid": d.uuid, "reference": d.reference, "call": d.wave.call.slug, "wave": d.wave.slug,
        "track": d.track.slug, "state": d.state, "state_label": DossierState(d.state).label,
        "place_name": d.place_name, "organisation": d.organisation.name,
        "commune_code": commune.code if commune else None, "commune_name": commune.name if commune else None,
        "departement_code": commune.departement_code if commune else None,
        "region_code": commune.region_code if commune else None,
        "latitude": d.place_latitude if d.place_latitude is not None else (commune.latitude if commune else None),
        "longitude": d.place_longitude if d.place_longitude is not None else (commune.longitude if commune else None),
        "eligibility_status": d.eligibility_status, "eligibility": eligibility_of(d).status,
        "eligibility_label": eligibility_of(d).text, "amount_requested_eur": d.amount_requested_eur,
        "last_deposited_at": d.last_deposited_at, "state_changed_at": d.state_changed_at,
        "score_weighted": score.weighted if score else None, "score_calibrated": score.calibrated if score else None,
        "url": f"/api/v1/dossiers/{d.uuid}",
    }


ROW_FIELDS = (
    "id", "uuid", "reference", "state", "place_name", "place_latitude", "place_longitude", "eligibility_status",
    "amount_requested_eur", "last_deposited_at", "state_changed_at", "wave__slug", "wave__call__slug",
    "track__slug", "organisation__name", "place_commune__code", "place_commune__name",
    "place_commune__departement_code", "place_commune__region_code", "place_commune__latitude",
    "place_commune__longitude", "score__weighted", "score__calibrated",
)


def _base(token):
    """The token's dossiers with only the columns a row shows (fewer conversions on list pages)."""
    return with_eligibility(
        dossiers_for_token(token).select_related("wave__call", "track", "place_commune", "organisation", "score")
        .only(*ROW_FIELDS)
    )


def _get(request, dossier_uuid: uuid.UUID) -> Dossier:
    dossier = _base(request.auth).filter(uuid=dossier_uuid).first()
    if dossier is None:
        raise ApiError(404, "not_found", "Aucun dossier visible avec cet identifiant pour ce jeton.")
    return dossier


@router.get("/dossiers", response={200: DossierPage, **ERROR_RESPONSES}, summary="Dossiers visibles par le jeton")
def list_dossiers(request, filters: Query[DossierFilters]):
    limit_check(filters.limit)
    qs = _base(request.auth)
    if filters.call:
        require_call(request, filters.call)
        qs = qs.filter(wave__call__slug=filters.call)
    if filters.wave:
        qs = qs.filter(wave__slug=filters.wave)
    if filters.track:
        qs = qs.filter(track__slug=filters.track)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.region:
        qs = qs.filter(place_commune__region_code=filters.region)
    if filters.cursor:
        qs = qs.filter(id__gt=decode_cursor(filters.cursor))
    rows = list(qs.order_by("id")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    cursor = encode_cursor(rows[-1].id) if more else None
    link = None
    if cursor:
        params = request.GET.copy()
        params["cursor"] = cursor
        link = f"/api/v1/dossiers?{params.urlencode()}"
    return Status(200, {"items": [dossier_row(d) for d in rows], "next_cursor": cursor, "next": link})


@router.get("/dossiers/{dossier_uuid}", response={200: DossierDetailOut, **ERROR_RESPONSES},
            summary="Un dossier : réponses, budget, pièces")
def get_dossier(request, dossier_uuid: uuid.UUID):
    dossier = _get(request, dossier_uuid)
    answers = dossier.answers.select_related("criterion").order_by("criterion__position")
    return Status(200, {
        **dossier_row(dossier),
        "answers": [{"criterion": a.criterion.code, "text": a.text} for a in answers],
        "budget": list(dossier.budget_lines.all()),
        "attachments": [
            {"code": a.required.code, "original_name": a.original_name, "size": a.size, "sha256": a.sha256,
             "detected_type": a.detected_type, "uploaded_at": a.uploaded_at}
            for a in dossier.attachments.select_related("required")
        ],
    })


def _require_wide_role(request, dossier: Dossier, what: str) -> None:
    require_capability(request, "evaluation.read_all", dossier.wave.call_id,
                       f"Les {what} sont réservées aux administrateurs et au comité de l’appel.")


@router.get("/dossiers/{dossier_uuid}/evaluations", response={200: EvaluationsOut, **ERROR_RESPONSES},
            summary="Évaluations d’un dossier : notes par critère et figures consolidées")
def get_evaluations(request, dossier_uuid: uuid.UUID):
    dossier = _get(request, dossier_uuid)
    _require_wide_role(request, dossier, "évaluations")
    evaluations = (
        Evaluation.objects.filter(assignment__dossier=dossier).select_related("assignment").order_by("assignment_id")
        .prefetch_related(Prefetch("scores", Score.objects.select_related("criterion").order_by("criterion__position")))
    )
    score = getattr(dossier, "score", None)
    figures = {k: getattr(score, k) if score else None
               for k in ("weighted", "median", "spread", "calibrated", "band_low", "band_high")}
    return Status(200, {
        **figures,
        "evaluations": [
            {"evaluator": e.assignment.evaluator_id, "state": e.state, "opinion": e.opinion,
             "submitted_at": e.submitted_at,
             "scores": [{"criterion": s.criterion.code, "value": s.value, "comment": s.comment}
                        for s in e.scores.all()]}
            for e in evaluations
        ],
    })


@router.get("/dossiers/{dossier_uuid}/decision", response={200: DecisionOut, **ERROR_RESPONSES},
            summary="Décision du comité sur un dossier")
def get_decision(request, dossier_uuid: uuid.UUID):
    dossier = _get(request, dossier_uuid)
    decision = Decision.objects.filter(dossier=dossier).first()
    if (decision is not None and decision.applied_at is None
            and not can(request.auth.owner, "evaluation.read_all", dossier.wave.call_id)):
        decision = None  # staged decisions stay within the committee until applied
    if decision is None:
        raise ApiError(404, "not_found", "Aucune décision pour ce dossier.")
    return Status(200, {
        "outcome": decision.outcome, "outcome_label": decision.get_outcome_display(),
        "amount_eur": decision.amount_eur, "waiting_rank": decision.waiting_rank,
        "applied": decision.applied_at is not None, "applied_at": decision.applied_at,
    })
