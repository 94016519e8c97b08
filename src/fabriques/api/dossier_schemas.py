"""Schemas of the agents' API (dossiers, evaluations, decisions)."""

import datetime as dt
import uuid

from ninja import Field, Schema


class DossierOut(Schema):
    uuid: uuid.UUID
    reference: str | None
    call: str
    wave: str
    track: str
    state: str
    state_label: str
    place_name: str
    organisation: str
    commune_code: str | None
    commune_name: str | None
    departement_code: str | None
    region_code: str | None
    latitude: float | None
    longitude: float | None
    eligibility_status: str = Field(description="Éligibilité calculée par les règles : pass, fail ou manual.")
    eligibility: str = Field(description="Éligibilité retenue (la même sur chaque page et export) : pass, confirmed "
                                         "(confirmée par l’instruction), forced (forcée par dérogation motivée), "
                                         "fail ou pending.")
    eligibility_label: str = Field(description="Éligibilité retenue en toutes lettres, avec le motif si elle est "
                                               "forcée : « Éligibilité forcée : motif ».")
    amount_requested_eur: int
    last_deposited_at: dt.datetime | None
    state_changed_at: dt.datetime | None
    score_weighted: float | None
    score_calibrated: float | None
    url: str


class DossierPage(Schema):
    items: list[DossierOut]
    next_cursor: str | None
    next: str | None


class AnswerOut(Schema):
    criterion: str
    text: str


class BudgetLineOut(Schema):
    year: int
    kind: str
    category: str
    label: str
    amount_eur: int
    is_state_request: bool
    cofunder: str


class AttachmentOut(Schema):
    code: str
    original_name: str
    size: int
    sha256: str
    detected_type: str
    uploaded_at: dt.datetime


class DossierDetailOut(DossierOut):
    answers: list[AnswerOut]
    budget: list[BudgetLineOut]
    attachments: list[AttachmentOut]


class ScoreOut(Schema):
    criterion: str
    value: float | None
    comment: str


class EvaluationOut(Schema):
    evaluator: int
    state: str
    opinion: str
    submitted_at: dt.datetime | None
    scores: list[ScoreOut]


class EvaluationsOut(Schema):
    weighted: float | None
    median: float | None
    spread: float | None
    calibrated: float | None
    band_low: float | None
    band_high: float | None
    evaluations: list[EvaluationOut]


class DecisionOut(Schema):
    outcome: str
    outcome_label: str
    amount_eur: int | None
    waiting_rank: int | None
    applied: bool
    applied_at: dt.datetime | None
