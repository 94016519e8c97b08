"""Writes to the call: loading a definition is the only way a call changes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from fabriques.calls.definition import CallDefinition, DefinitionError, parse_definition
from fabriques.calls.models import (
    BalanceTarget,
    Call,
    Criterion,
    EligibilityRule,
    LegalForm,
    Reference,
    RequiredAttachment,
    Track,
    Wave,
)

# Hook table: what higher apps write from a definition being loaded, in the same transaction, after the call's
# own tables; each a function (call=, definition=, tracks=, source=). The follow-up app adds its `[followup]` table
# in its ready(). A step refuses the load by raising DefinitionError.
ON_CALL_LOAD: list[Callable[..., None]] = []

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"


@dataclass(frozen=True)
class LoadResult:
    call: Call
    created: bool
    changed: bool


def call_load_file(*, path: Path) -> LoadResult:
    """Load a definition file; see `call_load`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError(str(path), [f"cannot read the file: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise DefinitionError(str(path), ["the file is not UTF-8 text"]) from None
    return call_load(text=text, source=path.name)


def call_load(*, text: str, source: str) -> LoadResult:
    """Validate then load a definition in one transaction: all of it or nothing; same text twice changes nothing."""
    definition = parse_definition(text, source=source)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    existing = Call.objects.filter(slug=definition.slug).first()
    if existing is not None and existing.source_sha256 == digest:
        return LoadResult(call=existing, created=False, changed=False)
    with transaction.atomic():
        call, created = Call.objects.update_or_create(
            slug=definition.slug,
            defaults={
                "title": definition.title,
                "short_title": definition.short_title,
                "programme": definition.programme,
                "organiser": definition.organiser,
                "summary": definition.summary,
                "rules_url": definition.rules_url,
                "qpv_vintage": definition.qpv_vintage,
                "tiers_lieux_radius_m": definition.tiers_lieux_radius_m,
                "reference_prefix": definition.reference_prefix,
                "programme_laureates": definition.programme_laureates,
                "checklist": definition.checklist or [],
                "source_name": source,
                "source_sha256": digest,
                "source_text": text,
                "loaded_at": timezone.now(),
                "draft_retention_days": definition.retention.draft_days,
                "draft_notice_days": definition.retention.draft_notice_days,
                "unfunded_retention_years": definition.retention.unfunded_years,
                "funded_retention_years": definition.retention.funded_years,
                "complement_default_days": definition.complements.default_days,
                "complement_reminder_days": definition.complements.reminder_days,
            },
        )
        _sync_legal_forms(call, definition)
        _sync_waves(call, definition)
        tracks = _sync_tracks(call, definition, source)
        _sync_criteria(call, definition, tracks, source)
        _sync_attachments(call, definition, tracks, source)
        _sync_targets(call, definition, tracks)
        for step in ON_CALL_LOAD:
            step(call=call, definition=definition, tracks=tracks, source=source)
    return LoadResult(call=call, created=created, changed=True)


def _sync_legal_forms(call: Call, definition: CallDefinition) -> None:
    call.legal_forms.all().delete()
    LegalForm.objects.bulk_create(
        LegalForm(call=call, code=f.code, label=f.label, position=i)
        for i, f in enumerate(definition.legal_forms, start=1)
    )


def _sync_waves(call: Call, definition: CallDefinition) -> None:
    """Waves are kept by slug; waves absent from the file (demo waves) are left alone."""
    for wave in definition.waves:
        Wave.objects.update_or_create(
            call=call,
            slug=wave.slug,
            defaults={
                "title": wave.title,
                "opens_at": wave.opens_at,
                "closes_at": wave.closes_at,
                "envelope_eur": wave.envelope_eur,
                "max_laureates": wave.max_laureates,
                "is_demo": False,
            },
        )


def _delete_absent(queryset, keep: set[str], field: str, source: str, what: str) -> None:
    absent = queryset.exclude(**{f"{field}__in": keep})
    try:
        absent.delete()
    except ProtectedError:
        names = ", ".join(sorted(absent.values_list(field, flat=True)))
        raise DefinitionError(
            source, [f"{what}: cannot remove {names}: files already refer to them"]
        ) from None


def _sync_tracks(call: Call, definition: CallDefinition, source: str) -> dict[str, Track]:
    tracks = {}
    for i, t in enumerate(definition.tracks, start=1):
        track, _ = Track.objects.update_or_create(
            call=call,
            slug=t.slug,
            defaults={
                "title": t.title,
                "short_title": t.short_title,
                "description": t.description,
                "position": i,
                "amount_min_eur": t.money.min_eur,
                "amount_max_eur": t.money.max_eur,
                "duration_years": t.money.duration_years,
                "per_year_cap_eur": t.money.per_year_cap_eur,
            },
        )
        track.rules.all().delete()
        EligibilityRule.objects.bulk_create(
            EligibilityRule(
                track=track, kind=r.kind, label=r.label, max_distance_m=r.max_distance_m,
                min_count=r.min_count, position=j,
            )
            for j, r in enumerate(t.rules, start=1)
        )
        tracks[t.slug] = track
    _delete_absent(call.tracks.all(), set(tracks), "slug", source, "tracks")
    return tracks


def _sync_criteria(call: Call, definition: CallDefinition, tracks: dict[str, Track], source: str) -> None:
    codes = set()
    for i, c in enumerate(definition.criteria, start=1):
        criterion, _ = Criterion.objects.update_or_create(
            call=call,
            code=c.id,
            defaults={
                "position": i,
                "title": c.title,
                "question": c.question,
                "guidance": c.guidance,
                "kind": c.kind,
                "weight": c.weight or 0,  # a criterion that is not scored weighs nothing
                "scale_min": c.scale_values()[0],
                "scale_max": c.scale_values()[1],
                "scale_step": c.scale_values()[2],
                "threshold": c.threshold,
                "max_length": c.max_length,
            },
        )
        criterion.tracks.set([tracks[slug] for slug in c.tracks])
        criterion.references.all().delete()
        Reference.objects.bulk_create(
            Reference(criterion=criterion, label=r.label, note=r.note, url=r.url, position=j)
            for j, r in enumerate(c.references, start=1)
        )
        codes.add(c.id)
    _delete_absent(call.criteria.all(), codes, "code", source, "criteria")


def _sync_attachments(call: Call, definition: CallDefinition, tracks: dict[str, Track], source: str) -> None:
    codes = set()
    for i, a in enumerate(definition.attachments, start=1):
        attachment, _ = RequiredAttachment.objects.update_or_create(
            call=call,
            code=a.id,
            defaults={
                "label": a.label,
                "help_text": a.help_text,
                "required": a.required,
                "allowed_types": a.types,
                "max_size_mb": a.max_size_mb,
                "max_files": a.max_files,
                "position": i,
            },
        )
        attachment.tracks.set([tracks[slug] for slug in a.tracks])
        codes.add(a.id)
    _delete_absent(call.attachments.all(), codes, "code", source, "attachments")


def _sync_targets(call: Call, definition: CallDefinition, tracks: dict[str, Track]) -> None:
    call.targets.all().delete()
    BalanceTarget.objects.bulk_create(
        BalanceTarget(
            call=call, kind=t.kind, scope=t.scope, value=t.value, label=t.label,
            track=tracks[t.track] if t.track else None, region_code=t.region or "", position=i,
        )
        for i, t in enumerate(definition.targets, start=1)
    )
