"""Agents' endpoints on the follow-up: agreements, tranches, yearly reports (bearer token, its calls only).

Read with any token of an agent who sees the call's follow-up (admins, committee, instructors); marking a tranche
paid needs a read-write token of an admin or instructor of the call. Same errors as the rest of the API."""

import datetime as dt

from ninja import Query, Router, Schema, Status

from fabriques.api.auth import ERRORS, TokenAuth, require_call, require_capability, require_write
from fabriques.api.errors import ApiError
from fabriques.api.paging import decode_cursor, encode_cursor, limit_check
from fabriques.api.schemas import ErrorOut
from fabriques.followup import domain, queries, rules
from fabriques.followup.enums import AgreementState, TrancheState

router = Router(tags=["Suivi des lauréats (agents)"], auth=TokenAuth())
ERROR_RESPONSES = dict.fromkeys(ERRORS, ErrorOut)


class TrancheOut(Schema):
    number: int
    amount_eur: int
    condition: str
    state: str
    due_at: dt.datetime | None
    requested_at: dt.datetime | None
    paid_at: dt.datetime | None
    payment_reference: str


class ReportOut(Schema):
    year: int
    label: str
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date
    state: str
    deposited_at: dt.datetime | None
    accepted_at: dt.datetime | None
    fingerprint: str | None


class AgreementOut(Schema):
    reference: str
    call: str
    dossier: str
    organisation: str
    siret: str
    state: str
    amount_eur: int
    committed_eur: int
    paid_eur: int
    remaining_eur: int
    starts_on: dt.date | None
    version: int
    reports_received: int
    reports_late: int
    next_deadline: dt.date | None
    url: str


class AgreementDetailOut(AgreementOut):
    tranches: list[TrancheOut]
    reports: list[ReportOut]


class AgreementPage(Schema):
    items: list[AgreementOut]
    next_cursor: str | None
    next: str | None


class AgreementFilters(Schema):
    call: str | None = None
    state: AgreementState | None = None
    cursor: str | None = None
    limit: int = 100


class PaidIn(Schema):
    payment_reference: str = ""


def _scoped(token):
    """The token's calls ∩ what its owner sees as a follow-up agent."""
    return rules.agreements_for_agent(token.owner).filter(call__in=token.calls.values("id"))


def _row(a) -> dict:
    return {"reference": a.reference, "call": a.call.slug, "dossier": a.dossier.reference,
            "organisation": a.dossier.organisation.name, "siret": a.dossier.organisation.siret, "state": a.state,
            "amount_eur": a.amount_eur, "committed_eur": a.committed_eur, "paid_eur": a.paid_eur,
            "remaining_eur": a.remaining_eur, "starts_on": a.starts_on, "version": a.version_number,
            "reports_received": a.reports_received, "reports_late": a.reports_late,
            "next_deadline": a.next_deadline, "url": f"/api/v1/followup/agreements/{a.reference}"}


def _get(request, reference: str):
    agreement = queries.with_figures(_scoped(request.auth).select_related("call", "dossier__organisation")).filter(
        reference=reference).first()
    if agreement is None:
        raise ApiError(404, "not_found", "Aucune convention visible avec cette référence pour ce jeton.")
    return agreement


@router.get("/followup/agreements", response={200: AgreementPage, **ERROR_RESPONSES},
            summary="Conventions des lauréats visibles par le jeton")
def list_agreements(request, filters: Query[AgreementFilters]):
    limit_check(filters.limit)
    qs = _scoped(request.auth)
    if filters.call:
        require_call(request, filters.call)
        qs = qs.filter(call__slug=filters.call)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.cursor:
        qs = qs.filter(id__gt=decode_cursor(filters.cursor))
    rows = list(queries.with_figures(qs.select_related("call", "dossier__organisation")).order_by("id")
                [: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    cursor = encode_cursor(rows[-1].id) if more else None
    link = None
    if cursor:
        params = request.GET.copy()
        params["cursor"] = cursor
        link = f"/api/v1/followup/agreements?{params.urlencode()}"
    return Status(200, {"items": [_row(a) for a in rows], "next_cursor": cursor, "next": link})


def _tranches(agreement) -> list[dict]:
    return [{"number": t.number, "amount_eur": t.amount_eur, "condition": t.condition, "state": t.state,
             "due_at": t.due_at, "requested_at": t.requested_at, "paid_at": t.paid_at,
             "payment_reference": t.payment_reference} for t in agreement.tranches.order_by("number")]


def _reports(agreement) -> list[dict]:
    out = []
    for r in agreement.reports.order_by("year").prefetch_related("versions"):
        versions = sorted(r.versions.all(), key=lambda v: v.number)
        out.append({"year": r.year, "label": r.label, "period_start": r.period_start, "period_end": r.period_end,
                    "due_on": r.due_on, "state": r.state, "deposited_at": r.deposited_at,
                    "accepted_at": r.accepted_at, "fingerprint": versions[-1].sha256 if versions else None})
    return out


@router.get("/followup/agreements/{reference}", response={200: AgreementDetailOut, **ERROR_RESPONSES},
            summary="Une convention : tranches et comptes rendus")
def get_agreement(request, reference: str):
    agreement = _get(request, reference)
    return Status(200, {**_row(agreement), "tranches": _tranches(agreement), "reports": _reports(agreement)})


@router.get("/followup/agreements/{reference}/tranches", response={200: list[TrancheOut], **ERROR_RESPONSES},
            summary="Tranches d’une convention")
def get_tranches(request, reference: str):
    return Status(200, _tranches(_get(request, reference)))


@router.get("/followup/agreements/{reference}/reports", response={200: list[ReportOut], **ERROR_RESPONSES},
            summary="Comptes rendus annuels d’une convention")
def get_reports(request, reference: str):
    return Status(200, _reports(_get(request, reference)))


@router.post("/followup/agreements/{reference}/tranches/{number}/paid",
             response={200: TrancheOut, **ERROR_RESPONSES}, summary="Marquer une tranche payée (service financier)")
def mark_paid(request, reference: str, number: int, body: PaidIn):
    require_write(request)
    agreement = _get(request, reference)
    require_capability(request, "followup.manage", agreement,
                       "Seuls les administrateurs et instructeurs de l’appel agissent sur le suivi.")
    tranche = agreement.tranches.filter(number=number).first()
    if tranche is None:
        raise ApiError(404, "not_found", f"La convention n’a pas de tranche {number}.")
    domain.tranche_transition(tranche, TrancheState.PAID, by=request.auth.owner, reason="API",  # refusal: 422
                              payment_reference=body.payment_reference)
    return Status(200, _tranches(agreement)[number - 1])
