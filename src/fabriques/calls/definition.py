"""The TOML schema of a call definition, validated before anything touches the database.

`parse_definition(text, source=...)` returns a `CallDefinition` or raises `DefinitionError`
whose lines name the file, the key path and what was expected, e.g.
`ami.toml: waves[1].closes_at: expected an ISO date-time, got "demain"`.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from fabriques.calls.appeal import AppealDef
from fabriques.calls.enums import TargetKind, TargetScope
from fabriques.calls.kinds import CHECKLIST_ITEMS, CRITERION_KINDS, RULE_KINDS, SCALE, unknown_name

PARIS = ZoneInfo("Europe/Paris")
SLUG = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"


class DefinitionError(Exception):
    """A definition file that cannot be loaded; `problems` are 'key.path: message' lines."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


def _paris_datetime(value: Any) -> dt.datetime:
    """Accept TOML date-times and ISO strings; naive values are Europe/Paris local time."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f'expected an ISO date-time, got "{value}"') from None
    else:
        raise ValueError(f"expected an ISO date-time, got {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PARIS)
    return parsed


ParisDateTime = Annotated[dt.datetime, BeforeValidator(_paris_datetime)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LegalFormDef(Strict):
    code: str = Field(pattern=SLUG)
    label: str = Field(min_length=1)


class WaveDef(Strict):
    slug: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    opens_at: ParisDateTime
    closes_at: ParisDateTime
    envelope_eur: int | None = Field(default=None, ge=0)
    max_laureates: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _closes_after_opening(self) -> WaveDef:
        if self.closes_at <= self.opens_at:
            raise ValueError("closes_at must be after opens_at")
        return self


class MoneyDef(Strict):
    min_eur: int = Field(ge=0)
    max_eur: int = Field(ge=0)
    duration_years: int = Field(ge=1, le=10)
    per_year_cap_eur: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> MoneyDef:
        if self.min_eur > self.max_eur:
            raise ValueError(f"min_eur ({self.min_eur}) is above max_eur ({self.max_eur})")
        if self.per_year_cap_eur is not None and self.per_year_cap_eur * self.duration_years < self.min_eur:
            raise ValueError("per_year_cap_eur × duration_years is below min_eur: no amount is possible")
        return self


class RuleDef(Strict):
    kind: str
    label: str = Field(min_length=1)
    max_distance_m: int | None = Field(default=None, ge=0)
    min_count: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _settings(self) -> RuleDef:
        problem = unknown_name("rule kind", self.kind, RULE_KINDS)
        if problem:
            raise ValueError(f"@kind: {problem}")
        for setting in RULE_KINDS[self.kind].requires:
            if getattr(self, setting) is None:
                unit = " (metres)" if setting.endswith("_m") else ""
                raise ValueError(f"a {self.kind} rule needs {setting}{unit}")
        return self


class TrackDef(Strict):
    slug: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    short_title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    money: MoneyDef
    rules: list[RuleDef] = Field(default_factory=list)


class ScaleDef(Strict):
    min: Decimal = Decimal(0)
    max: Decimal = Decimal(5)
    step: Decimal = Decimal("0.5")

    @model_validator(mode="after")
    def _scale(self) -> ScaleDef:
        if self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        if self.step <= 0:
            raise ValueError("step must be positive")
        return self


class ReferenceDef(Strict):
    label: str = Field(min_length=1)
    note: str = ""
    url: str = ""


class CriterionDef(Strict):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    question: str = Field(min_length=1)
    guidance: str = Field(min_length=1)
    kind: str = SCALE
    weight: Decimal | None = Field(default=None, gt=0)
    scale: ScaleDef | None = None
    threshold: Decimal | None = None
    max_length: int = Field(default=5000, ge=100, le=50000)
    tracks: list[str] = Field(min_length=1)
    references: list[ReferenceDef] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kind_and_scale(self) -> CriterionDef:
        """The kind is a registered one; a scored kind needs a weight; a fixed-scale kind takes no `scale`."""
        problem = unknown_name("criterion kind", self.kind, CRITERION_KINDS)
        if problem:
            raise ValueError(f"@kind: {problem}")
        kind = CRITERION_KINDS[self.kind]
        if not kind.scored:
            extra = [k for k in ("weight", "threshold", "scale") if getattr(self, k) is not None]
            if extra:
                raise ValueError(f"@{extra[0]}: a {self.kind} criterion is not scored: remove {extra[0]}")
            return self
        if self.weight is None:
            raise ValueError("@weight: required key is missing")
        if kind.fixed_scale is not None and self.scale is not None:
            raise ValueError(f"@scale: a {self.kind} criterion has a fixed scale: remove scale")
        low, high = (kind.fixed_scale[0], kind.fixed_scale[1]) if kind.fixed_scale else (
            (self.scale or ScaleDef()).min, (self.scale or ScaleDef()).max)
        if self.threshold is not None and not (low <= self.threshold <= high):
            raise ValueError(f"threshold {self.threshold} is outside the scale {low}–{high}")
        return self

    def scale_values(self) -> tuple[Decimal, Decimal, Decimal]:
        """(min, max, step) as stored on the criterion: the kind's fixed scale or the definition's."""
        fixed = CRITERION_KINDS[self.kind].fixed_scale
        if fixed is not None:
            return fixed
        scale = self.scale or ScaleDef()
        return scale.min, scale.max, scale.step


class AttachmentDef(Strict):
    id: str = Field(pattern=SLUG)
    label: str = Field(min_length=1)
    help_text: str = ""
    required: bool = True
    types: list[str] = Field(min_length=1)
    max_size_mb: int = Field(ge=1, le=200)
    max_files: int = Field(default=1, ge=1, le=20)
    tracks: list[str] = Field(min_length=1)

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        known = {"pdf", "odt", "docx", "ods", "xlsx", "png", "jpg"}
        unknown = [t for t in value if t not in known]
        if unknown:
            raise ValueError(f"unknown file type {unknown[0]!r}; expected one of {sorted(known)}")
        return value


class TargetDef(Strict):
    kind: TargetKind
    value: int = Field(ge=0)
    label: str = Field(min_length=1)
    scope: TargetScope = TargetScope.PROGRAMME
    track: str | None = None
    region: str | None = Field(default=None, pattern=r"^\d{2,3}$")


class RetentionDef(Strict):
    """How long the call keeps personal data; a missing value falls back to the platform's setting."""

    draft_days: int | None = Field(default=None, ge=30, le=3650)
    draft_notice_days: int | None = Field(default=None, ge=1, le=365)
    unfunded_years: int | None = Field(default=None, ge=1, le=30)
    funded_years: int | None = Field(default=None, ge=1, le=30)

    @model_validator(mode="after")
    def _notice_before_deletion(self) -> RetentionDef:
        days, notice = self.draft_days, self.draft_notice_days
        if days is not None and notice is not None and notice >= days:
            raise ValueError(f"draft_notice_days ({notice}) must be below draft_days ({days})")
        return self


class ComplementsDef(Strict):
    """Requests for complements during instruction: the answer delay proposed to the instructor and the reminder."""

    default_days: int = Field(default=15, ge=1, le=120)
    reminder_days: int = Field(default=3, ge=1, le=60)

    @model_validator(mode="after")
    def _reminder_before_deadline(self) -> ComplementsDef:
        if self.reminder_days >= self.default_days:
            raise ValueError(f"reminder_days ({self.reminder_days}) must be below default_days ({self.default_days})")
        return self


INDICATOR_KINDS = ("integer", "decimal", "money", "choice", "text")


class IndicatorDef(Strict):
    """One figure the laureate reports every year (follow-up)."""

    code: str = Field(pattern=SLUG)
    label: str = Field(min_length=1)
    kind: str
    unit: str = ""
    help_text: str = ""
    required: bool = True
    choices: list[str] = Field(default_factory=list)
    tracks: list[str] = Field(min_length=1)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in INDICATOR_KINDS:
            raise ValueError(f"expected one of {list(INDICATOR_KINDS)}, got {value!r}")
        return value

    @model_validator(mode="after")
    def _choices(self) -> IndicatorDef:
        if self.kind == "choice" and len(self.choices) < 2:
            raise ValueError("@choices: a choice indicator needs at least two choices")
        if self.kind != "choice" and self.choices:
            raise ValueError(f"@choices: only for kind = \"choice\", not {self.kind!r}")
        return self


class TrancheDef(Strict):
    """A payment: released at signature or once the report of `after_report_year` is accepted."""

    number: int = Field(ge=1)
    share_percent: Decimal | None = Field(default=None, gt=0, le=100)
    release: str
    after_report_year: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _release(self) -> TrancheDef:
        if self.release not in ("signature", "report"):
            raise ValueError(f'@release: expected "signature" or "report", got {self.release!r}')
        if self.release == "report" and self.after_report_year is None:
            raise ValueError('@after_report_year: required when release = "report"')
        if self.release == "signature" and self.after_report_year is not None:
            raise ValueError('@after_report_year: only for release = "report"')
        return self


class ReportPeriodDef(Strict):
    """The yearly report: the year of the agreement it covers and how many days after its end it is due."""

    year: int = Field(ge=1, le=10)
    label: str = Field(min_length=1)
    due_days_after_period: int = Field(default=90, ge=0, le=365)


class FollowupDef(Strict):
    """Follow-up of the funded projects: agreement template, tranches, yearly reports and their indicators."""

    agreement_title: str = Field(min_length=1)
    grantor: str = Field(min_length=1)
    signatory: str = Field(min_length=1)
    obligations: list[str] = Field(min_length=1)
    payment_terms: str = Field(min_length=1)
    reminder_days_before: list[int] = Field(default_factory=lambda: [30, 7])
    late_reminder_every_days: int = Field(default=14, ge=1, le=90)
    tranches: list[TrancheDef] = Field(min_length=1)
    reports: list[ReportPeriodDef] = Field(min_length=1)
    indicators: list[IndicatorDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _schedule(self) -> FollowupDef:
        problems: list[str] = []
        numbers = [t.number for t in self.tranches]
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"@tranches: numbers must be 1, 2, 3… in order, got {numbers}")
        shares = [t.share_percent for t in self.tranches]
        given = [s for s in shares if s is not None]
        if given and len(given) != len(shares):
            problems.append("@tranches: give share_percent for every tranche or for none (equal shares)")
        elif given and sum(given) != 100:
            problems.append(f"@tranches: share_percent must add up to 100, got {sum(given)}")
        years = [r.year for r in self.reports]
        if years != list(range(1, len(years) + 1)):
            problems.append(f"@reports: years must be 1, 2, 3… in order, got {years}")
        for i, tranche in enumerate(self.tranches):
            if tranche.after_report_year is not None and tranche.after_report_year not in years:
                problems.append(f"@tranches[{i}].after_report_year: no report for year "
                                f"{tranche.after_report_year}; expected one of {years}")
        problems += ["@" + p for p in _duplicates("indicators", [c.code for c in self.indicators], "code")]
        if any(d <= 0 for d in self.reminder_days_before):
            problems.append("@reminder_days_before: expected whole numbers of days > 0")
        if problems:
            raise ValueError("\n".join(problems))
        return self


class CallDefinition(Strict):
    slug: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    short_title: str = Field(min_length=1)
    programme: str = Field(min_length=1)
    organiser: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    rules_url: str = ""
    qpv_vintage: int
    tiers_lieux_radius_m: int = Field(default=20000, ge=0)
    reference_prefix: str = Field(default="FDT", pattern=r"^[A-Z][A-Z0-9]{1,7}$")
    programme_laureates: int = Field(default=300, ge=1)
    checklist: list[str] | None = None
    legal_forms: list[LegalFormDef] = Field(min_length=1)
    waves: list[WaveDef] = Field(min_length=1)
    tracks: list[TrackDef] = Field(min_length=1)
    criteria: list[CriterionDef] = Field(min_length=1)
    attachments: list[AttachmentDef] = Field(default_factory=list)
    targets: list[TargetDef] = Field(default_factory=list)
    retention: RetentionDef = Field(default_factory=RetentionDef)
    complements: ComplementsDef = Field(default_factory=ComplementsDef)
    followup: FollowupDef | None = None
    # Voies et délais de recours stated by refusal letters (`calls/appeal.py`); defaults fit the 2019 AMI.
    appeal: AppealDef = Field(default_factory=AppealDef)

    @field_validator("qpv_vintage")
    @classmethod
    def _vintage(cls, value: int) -> int:
        if value not in (2015, 2024):
            raise ValueError(f"expected 2015 or 2024, got {value}")
        return value

    @model_validator(mode="after")
    def _cross_references(self) -> CallDefinition:
        problems: list[str] = []
        for name in ("waves", "tracks", "legal_forms"):
            key = "code" if name == "legal_forms" else "slug"
            problems += _duplicates(name, [getattr(item, key) for item in getattr(self, name)], key)
        problems += _duplicates("criteria", [c.id for c in self.criteria], "id")
        problems += _duplicates("attachments", [a.id for a in self.attachments], "id")
        tracks = {t.slug for t in self.tracks}
        for i, criterion in enumerate(self.criteria):
            problems += _unknown_tracks(f"criteria[{i}].tracks", criterion.tracks, tracks)
        for i, attachment in enumerate(self.attachments):
            problems += _unknown_tracks(f"attachments[{i}].tracks", attachment.tracks, tracks)
        for i, target in enumerate(self.targets):
            if target.track is not None and target.track not in tracks:
                problems.append(f"targets[{i}].track: unknown track {target.track!r}; expected one of {sorted(tracks)}")
        for i, indicator in enumerate(self.followup.indicators if self.followup else []):
            problems += _unknown_tracks(f"followup.indicators[{i}].tracks", indicator.tracks, tracks)
        for i, item in enumerate(self.checklist or []):
            problem = unknown_name("checklist item", item, CHECKLIST_ITEMS)
            if problem:
                problems.append(f"checklist[{i}]: {problem}")
        if self.checklist is not None:
            problems += _duplicates("checklist", self.checklist, "item")
        if not any(CRITERION_KINDS[c.kind].scored for c in self.criteria if c.kind in CRITERION_KINDS):
            problems.append("criteria: at least one criterion must be scored (kind other than text_only)")
        if problems:
            raise ValueError("\n".join(problems))
        return self


def _duplicates(name: str, values: list[str], key: str) -> list[str]:
    seen: set[str] = set()
    out = []
    for i, value in enumerate(values):
        if value in seen:
            out.append(f"{name}[{i}].{key}: duplicate {key} {value!r}")
        seen.add(value)
    return out


def _unknown_tracks(path: str, used: list[str], known: set[str]) -> list[str]:
    return [
        f"{path}[{j}]: unknown track {slug!r}; expected one of {sorted(known)}"
        for j, slug in enumerate(used)
        if slug not in known
    ]


_EXPECTED = {
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "decimal_parsing": "expected a number",
    "decimal_type": "expected a number",
    "string_type": "expected a text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "model_type": "expected a table",
    "missing": "required key is missing",
    "extra_forbidden": "unknown key",
}


def _format_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _format_error(error: dict) -> list[str]:  # noqa: PLR0911 - one return per kind of error
    loc = _format_loc(tuple(error["loc"]))
    kind = error["type"]
    value = error.get("input")
    if kind == "value_error":
        message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
        lines = message.splitlines()
        if loc and all(line.startswith("@") for line in lines):  # key paths relative to where the error arose
            return [f"{loc}.{line[1:]}" for line in lines]
        if all(":" in line and "[" in line.split(":")[0] for line in lines) and not loc:
            return lines
        return [f"{loc}: {line}" if loc else line for line in lines]
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(error["ctx"].values()))
        sign = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[kind]
        return [f"{loc}: expected a number {sign} {bound}, got {value}"]
    if kind == "string_pattern_mismatch" and loc == "reference_prefix":
        return [f"{loc}: expected 2 to 8 upper-case letters or digits, starting with a letter, got {value!r}"]
    if kind == "string_pattern_mismatch":
        return [f"{loc}: expected lower-case letters, digits and dashes, got {value!r}"]
    if kind in ("too_short", "string_too_short"):
        return [f"{loc}: must not be empty"]
    if kind == "enum":
        return [f"{loc}: expected one of {error['ctx']['expected']}, got {value!r}"]
    expected = _EXPECTED.get(kind, error["msg"])
    if kind in ("missing", "extra_forbidden"):
        return [f"{loc}: {expected}"]
    return [f"{loc}: {expected}, got {value!r}"]


def parse_definition(text: str, *, source: str) -> CallDefinition:
    """Parse and validate a TOML definition; raise DefinitionError naming every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(source, [f"not valid TOML: {exc}"]) from None
    try:
        return CallDefinition.model_validate(data)
    except ValidationError as exc:
        problems: list[str] = []
        for error in exc.errors(include_url=False):
            problems += _format_error(error)
        raise DefinitionError(source, problems) from None
