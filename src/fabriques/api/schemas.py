"""Public API schemas: what the JSON looks like, from type hints (OpenAPI is generated)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class ErrorOut(Schema):
    code: str
    message: str


class WaveOut(Schema):
    slug: str
    title: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    is_open: bool
    envelope_eur: int | None
    max_laureates: int | None


class RuleOut(Schema):
    kind: str
    label: str
    max_distance_m: int | None
    min_count: int | None


class TrackOut(Schema):
    slug: str
    title: str
    description: str
    amount_min_eur: int
    amount_max_eur: int
    duration_years: int
    per_year_cap_eur: int | None
    rules: list[RuleOut]


class ReferenceOut(Schema):
    label: str
    note: str
    url: str


class CriterionOut(Schema):
    code: str
    position: int
    title: str
    question: str
    guidance: str
    kind: str = Field(description="scale (note sur l’échelle), yes_no (0 = non, 1 = oui) ou text_only (commentaire "
                                  "sans note, hors moyenne)")
    weight: Decimal
    scale_min: Decimal
    scale_max: Decimal
    scale_step: Decimal
    threshold: Decimal | None
    max_length: int
    tracks: list[str]
    references: list[ReferenceOut]


class AttachmentOut(Schema):
    code: str
    label: str
    required: bool
    allowed_types: list[str]
    max_size_mb: int
    max_files: int
    tracks: list[str]


class TargetOut(Schema):
    kind: str
    scope: str
    value: int
    label: str
    track: str | None
    region_code: str


class CallSummaryOut(Schema):
    slug: str
    title: str
    short_title: str
    programme: str
    organiser: str
    url: str
    waves: list[WaveOut]
    tracks: list[str]


class CallOut(Schema):
    slug: str
    title: str
    short_title: str
    programme: str
    organiser: str
    summary: str
    qpv_vintage: int
    legal_forms: list[str]
    waves: list[WaveOut]
    tracks: list[TrackOut]
    criteria: list[CriterionOut]
    attachments: list[AttachmentOut]
    targets: list[TargetOut]
