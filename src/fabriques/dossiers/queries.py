"""Reads on dossiers shaped for the pages: lists, budget summary, what is missing, the snapshot."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import F, QuerySet
from django.urls import reverse

from fabriques.audit.models import AuditEntry
from fabriques.calls.models import Call, Criterion, RequiredAttachment, Wave
from fabriques.dossiers.enums import BudgetKind, DossierState
from fabriques.dossiers.models import Answer, BudgetLine, Dossier, DossierAttachment
from fabriques.dossiers.rules import can_view, dossiers_visible_to
from fabriques.formatting import euros
from fabriques.security.antivirus import ScanState

# States whose reason the agents write for the applicant (« le porteur le lira »): shown on the dossier's page too.
STATES_WITH_REASON = frozenset({DossierState.INADMISSIBLE, DossierState.CLOSED})


def state_reason(dossier: Dossier) -> str:
    """Why the dossier is in its state, in the agents' words as the e-mail gave them (irrecevable, classé sans
    suite): the reason of the transition's journal entry; "" for other states."""
    if dossier.state not in STATES_WITH_REASON:
        return ""
    entry = (AuditEntry.objects.filter(dossier_id=dossier.pk, action="dossier.transition", after__state=dossier.state)
             .order_by("-id").values_list("reason", flat=True).first())
    return entry or ""


def my_dossiers(user) -> QuerySet[Dossier]:
    """The user's dossiers with everything the list shows, in one query."""
    return (
        dossiers_visible_to(user)
        .select_related("wave", "track", "organisation")
        .order_by("-created_at")
    )


def dossier_for(user, uuid) -> Dossier | None:
    """The dossier if the user may see it, else None: one indexed lookup, then at most two small checks."""
    # Few joins on purpose: this runs on every autosave, and PostgreSQL's planning time grows with joins. The call's
    # stamp (two columns, not the call's row and its source text) saves `_track_definition` a statement of its own.
    dossier = (
        Dossier.objects.select_related("wave", "track", "organisation")
        .annotate(call_sha256=F("wave__call__source_sha256"), call_loaded_at=F("wave__call__loaded_at"))
        .filter(uuid=uuid).order_by().first()
    )
    if dossier is None or not can_view(user, dossier):
        return None
    return dossier


_DEFINITIONS: dict[tuple, tuple[tuple[Criterion, ...], tuple[RequiredAttachment, ...]]] = {}


def _track_definition(dossier: Dossier) -> tuple[tuple[Criterion, ...], tuple[RequiredAttachment, ...]]:
    """The criteria and required attachments of the dossier's track, read once per process and loaded definition.

    Only `load-call` writes them, and each load stamps the call with the file's fingerprint and the load time:
    keyed on both (read fresh from the database on every request), the memo cannot serve a stale definition.
    """
    wave = dossier.wave
    if Wave.call.is_cached(wave):
        stamp = (wave.call.source_sha256, wave.call.loaded_at)
    elif hasattr(dossier, "call_loaded_at"):  # read with the dossier (`dossier_for`)
        stamp = (dossier.call_sha256, dossier.call_loaded_at)
    else:
        stamp = Call.objects.filter(pk=wave.call_id).values_list("source_sha256", "loaded_at").get()
    key = (wave.call_id, dossier.track_id, *stamp)
    if key not in _DEFINITIONS:
        if len(_DEFINITIONS) > 64:
            _DEFINITIONS.clear()
        _DEFINITIONS[key] = (
            tuple(Criterion.objects.filter(tracks=dossier.track_id).order_by("position")),
            tuple(RequiredAttachment.objects.filter(tracks=dossier.track_id).order_by("position")),
        )
    return _DEFINITIONS[key]


def criteria_for(dossier: Dossier) -> list[Criterion]:
    """The criteria of the dossier's track in order (their references are read only by the answer page)."""
    return list(_track_definition(dossier)[0])


def required_attachments_for(dossier: Dossier) -> list[RequiredAttachment]:
    return list(_track_definition(dossier)[1])


def answers_by_criterion(dossier: Dossier) -> dict[int, Answer]:
    return {a.criterion_id: a for a in dossier.answers.select_related("updated_by").order_by()}


class LineRow(NamedTuple):
    """A budget line as the checks and the snapshot read it (a plain row: no model instance to build)."""

    year: int
    kind: str
    category: str
    label: str
    amount_eur: int
    is_state_request: bool
    cofunder: str


class AttachmentRow(NamedTuple):
    """An uploaded file as the checks and the snapshot read it, with its required attachment's code and label."""

    required_id: int
    required_code: str
    required_label: str
    original_name: str
    detected_type: str
    size: int
    sha256: str
    scan_state: str


@dataclass
class DossierContent:
    """What the dossier holds, read once, for the checks and the snapshot of a deposit."""

    criteria: list[Criterion]
    answers: dict[int, str]
    lines: list[LineRow]
    attachments: list[AttachmentRow]
    required: list[RequiredAttachment]


def dossier_content(dossier: Dossier) -> DossierContent:
    """Three plain queries (the track's definition is memoised), in the order the snapshot lists them, read as rows:
    the deposit page and the deposit POST both read them during the rush."""
    criteria, required = _track_definition(dossier)
    lines = dossier.budget_lines.order_by("year", "kind", "category", "cofunder", "id").values_list(*LineRow._fields)
    attachments = dossier.attachments.order_by("required__position", "uploaded_at", "id").values_list(
        "required_id", "required__code", "required__label", "original_name", "detected_type", "size", "sha256",
        "scan_state")
    return DossierContent(
        criteria=list(criteria),
        answers=dict(dossier.answers.order_by().values_list("criterion_id", "text")),
        lines=[LineRow(*row) for row in lines],
        attachments=[AttachmentRow(*row) for row in attachments],
        required=list(required),
    )


@dataclass
class BudgetYear:
    year: int
    charges: int = 0
    resources: int = 0
    state_request: int = 0

    @property
    def gap(self) -> int:
        """Resources minus charges: 0 when balanced."""
        return self.resources - self.charges


@dataclass
class BudgetSummary:
    years: list[BudgetYear]
    total_requested: int
    problems: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return all(y.gap == 0 for y in self.years)

    @property
    def ok(self) -> bool:
        return not self.problems


def budget_summary(dossier: Dossier, lines: list[BudgetLine] | list[LineRow] | None = None) -> BudgetSummary:
    """Per-year totals and every rule the budget breaks, worded for the applicant."""
    track = dossier.track
    if lines is None:
        lines = list(dossier.budget_lines.all())
    years = {y: BudgetYear(y) for y in range(1, track.duration_years + 1)}
    for line in lines:
        year = years.setdefault(line.year, BudgetYear(line.year))
        if line.kind == BudgetKind.CHARGE:
            year.charges += line.amount_eur
        else:
            year.resources += line.amount_eur
            if line.is_state_request:
                year.state_request += line.amount_eur
    ordered = [years[y] for y in sorted(years)]
    total = sum(y.state_request for y in ordered)
    problems = []
    if not lines:
        problems.append("Le budget n’est pas renseigné.")
    for y in ordered:
        if y.gap < 0:
            problems.append(
                f"Année {y.year} : les charges ({euros(y.charges)}) dépassent les ressources "
                f"({euros(y.resources)}) de {euros(-y.gap)}."
            )
        elif y.gap > 0:
            problems.append(
                f"Année {y.year} : les ressources ({euros(y.resources)}) dépassent les charges "
                f"({euros(y.charges)}) de {euros(y.gap)}."
            )
        if track.per_year_cap_eur is not None and y.state_request > track.per_year_cap_eur:
            problems.append(
                f"Année {y.year} : la subvention demandée ({euros(y.state_request)}) dépasse le plafond "
                f"annuel de {euros(track.per_year_cap_eur)}."
            )
    if lines and total < track.amount_min_eur:
        problems.append(
            f"Le montant demandé ({euros(total)}) est inférieur au minimum de l’entrée ({euros(track.amount_min_eur)})."
        )
    if total > track.amount_max_eur:
        problems.append(
            f"Le montant demandé ({euros(total)}) dépasse le maximum de l’entrée ({euros(track.amount_max_eur)})."
        )
    return BudgetSummary(years=ordered, total_requested=total, problems=problems)


@dataclass(frozen=True)
class Missing:
    section: str
    message: str
    url: str


def missing_items(dossier: Dossier, content: DossierContent | None = None) -> list[Missing]:
    """Everything that prevents the deposit, with a link to the section to fix."""
    content = content or dossier_content(dossier)
    uuid = dossier.uuid
    missing = []
    place_url = reverse("dossiers:place", args=[uuid])
    for attr, label in (
        ("place_name", "le nom du lieu"), ("place_status", "la nature du lieu (existant ou en projet)"),
        ("place_address", "l’adresse du lieu"), ("place_commune_id", "la commune du lieu"),
    ):
        if not getattr(dossier, attr):
            missing.append(Missing("Le lieu", f"Indiquez {label}.", place_url))
    for criterion in content.criteria:
        if not content.answers.get(criterion.pk, "").strip():
            url = reverse("dossiers:answer", args=[uuid, criterion.code])
            missing.append(Missing(criterion.title, "La réponse est vide.", url))
    budget = budget_summary(dossier, content.lines)
    budget_url = reverse("dossiers:budget", args=[uuid])
    missing.extend(Missing("Budget", problem, budget_url) for problem in budget.problems)
    counts = Counter(a.required_id for a in content.attachments if a.scan_state != ScanState.INFECTED)
    attachments_url = reverse("dossiers:attachments", args=[uuid])
    for required in content.required:
        if required.required and not counts.get(required.pk):
            missing.append(Missing("Pièces jointes", f"Pièce manquante : {required.label}.", attachments_url))
    return missing


def dossier_snapshot(dossier: Dossier, content: DossierContent | None = None) -> dict:
    """The canonical content of the dossier as it would be deposited (sorted, JSON-ready)."""
    content = content or dossier_content(dossier)
    organisation = dossier.organisation
    answers, lines, attachments = content.answers, content.lines, content.attachments
    return {
        "reference": dossier.reference,
        "call": dossier.wave.call.title,
        "wave": dossier.wave.title,
        "track": dossier.track.title,
        "organisation": {
            "name": organisation.name, "legal_form": organisation.legal_form, "siret": organisation.siret,
            "address": organisation.address,
            "commune": organisation.commune.label if organisation.commune_id else "",
        },
        "place": {
            "name": dossier.place_name, "status": dossier.get_place_status_display(),
            "address": dossier.place_address,
            "commune": dossier.place_commune.label if dossier.place_commune_id else "",
            "commune_code": dossier.place_commune.code if dossier.place_commune_id else "",
            "latitude": dossier.place_latitude, "longitude": dossier.place_longitude,
        },
        "answers": [
            {"code": c.code, "title": c.title, "question": c.question,
             "text": answers.get(c.pk, "")}
            for c in content.criteria
        ],
        "budget": {
            "amount_requested_eur": dossier.amount_requested_eur,
            "lines": [
                {"year": ln.year, "kind": ln.kind, "category": ln.category, "label": ln.label,
                 "amount_eur": ln.amount_eur, "is_state_request": ln.is_state_request, "cofunder": ln.cofunder}
                for ln in lines
            ],
        },
        "attachments": [
            {"code": a.required_code, "label": a.required_label, "name": a.original_name, "type": a.detected_type,
             "size": a.size, "sha256": a.sha256}
            for a in attachments
        ],
        "eligibility": dossier.eligibility_report,
    }


# --- The deposited version against the live content ---------------------------------------------------------------


def snapshot_changes(deposited: dict, live: dict) -> list[str]:
    """What differs between a deposited snapshot and the live content, named as the applicant's sections."""
    changes = []
    if deposited.get("organisation") != live.get("organisation"):
        changes.append("Structure porteuse")
    if deposited.get("place") != live.get("place"):
        changes.append("Lieu")
    before = {a["code"]: a.get("text", "") for a in deposited.get("answers", [])}
    for answer in live.get("answers", []):
        if before.get(answer["code"], "") != answer.get("text", ""):
            changes.append(f"Réponse « {answer['title']} »")
    if deposited.get("budget") != live.get("budget"):
        changes.append("Budget")
    if sorted(a["sha256"] for a in deposited.get("attachments", [])) != sorted(
        a["sha256"] for a in live.get("attachments", [])
    ):
        changes.append("Pièces jointes")
    return changes


@dataclass
class DepositedVersion:
    """The last deposited version as agents read it, and what the applicant changed since (not redeposited)."""

    number: int
    sha256: str
    deposited_at: object
    answers: dict[str, str]  # criterion code -> deposited text
    budget: BudgetSummary
    attachment_hashes: set[str]
    changes: list[str]
    lines: list[BudgetLine] = field(default_factory=list)  # the deposited budget lines (unsaved rows)
    files: list[dict] = field(default_factory=list)  # the deposited attachments (code, label, name, sha256…)


@dataclass(frozen=True)
class FileSinceDeposit:
    """A file of the dossier compared with the last deposit: « deposited », « added » or « replacing » (a file
    added after the deposit under a required attachment whose deposited file was removed)."""

    attachment: DossierAttachment
    status: str


@dataclass(frozen=True)
class FilesSinceDeposit:
    files: list[FileSinceDeposit]
    removed: list[dict]  # deposited files no longer in the dossier (name, label, sha256)

    @property
    def changed(self) -> bool:
        return bool(self.removed) or any(f.status != "deposited" for f in self.files)


def files_since_deposit(deposited: DepositedVersion | None, live: list[DossierAttachment]) -> FilesSinceDeposit:
    """The live files marked against the deposited version, and the deposited files removed since.

    A file is the deposited one when the deposit holds a file of the same required attachment with the same SHA-256
    (counted, so two identical files are two files)."""
    if deposited is None:
        return FilesSinceDeposit([FileSinceDeposit(a, "deposited") for a in live], [])
    unmatched = Counter((f["code"], f["sha256"]) for f in deposited.files)
    matched = []
    for a in live:
        key = (a.required.code, a.sha256)
        matched.append(unmatched[key] > 0)
        unmatched[key] -= 1
    removed = []
    for f in deposited.files:
        key = (f["code"], f["sha256"])
        if unmatched[key] > 0:
            removed.append(f)
            unmatched[key] -= 1
    removed_codes = {f["code"] for f in removed}
    marked = [
        FileSinceDeposit(a, "deposited" if same else "replacing" if a.required.code in removed_codes else "added")
        for a, same in zip(live, matched, strict=True)
    ]
    return FilesSinceDeposit(marked, removed)


def deposited_version(dossier: Dossier) -> DepositedVersion | None:
    """The dossier's last deposit read from its snapshot (never from the live rows); None before any deposit."""
    version = dossier.versions.order_by("-number").first()
    if version is None:
        return None
    snapshot = version.snapshot
    lines = [
        BudgetLine(year=ln["year"], kind=ln["kind"], category=ln["category"], label=ln["label"],
                   amount_eur=ln["amount_eur"], is_state_request=ln["is_state_request"], cofunder=ln["cofunder"])
        for ln in snapshot.get("budget", {}).get("lines", [])
    ]
    return DepositedVersion(
        number=version.number, sha256=version.sha256, deposited_at=version.deposited_at,
        answers={a["code"]: a.get("text", "") for a in snapshot.get("answers", [])},
        budget=budget_summary(dossier, lines),
        attachment_hashes={a["sha256"] for a in snapshot.get("attachments", [])},
        changes=snapshot_changes(snapshot, dossier_snapshot(dossier)),
        lines=lines,
        files=list(snapshot.get("attachments", [])),
    )
