"""Writes of a wave's evaluation settings and of the evaluators' scopes (tracks, régions); audited."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from fabriques.accounts.capabilities import can
from fabriques.audit.domain import audit_record
from fabriques.evaluation.enums import (
    PeerVisibility,
)
from fabriques.evaluation.errors import EvaluationError
from fabriques.evaluation.models import (
    EvaluatorScope,
    WaveEvaluationSettings,
)


def wave_settings_save(*, wave, by, evaluators_per_dossier: int, peer_visibility: str,
                       hide_applicant_identity: bool, disagreement_spread: Decimal) -> WaveEvaluationSettings:
    """Store the wave's evaluation settings (one row per wave) and audit the previous values."""
    if not 1 <= evaluators_per_dossier <= 10:
        raise EvaluationError("Le nombre d’évaluateurs par dossier doit être compris entre 1 et 10.")
    PeerVisibility(peer_visibility)
    with transaction.atomic():
        current, _ = WaveEvaluationSettings.objects.select_for_update().get_or_create(wave=wave)
        fields = ("evaluators_per_dossier", "peer_visibility", "hide_applicant_identity", "disagreement_spread")
        before = {f: getattr(current, f) for f in fields}
        current.evaluators_per_dossier = evaluators_per_dossier
        current.peer_visibility = peer_visibility
        current.hide_applicant_identity = hide_applicant_identity
        current.disagreement_spread = disagreement_spread
        current.save()
        audit_record(action="evaluation.settings", obj=current, by=by, before=before,
                     after={f: getattr(current, f) for f in fields}, call_id=wave.call_id)
    return current


def evaluator_scope_set(*, user, call, track_ids: list[int], region_codes: list[str], by) -> list[EvaluatorScope]:
    """Replace the evaluator's scope on the call by tracks × régions (empty list: all)."""
    if not can(user, "evaluation.evaluate", call):
        raise EvaluationError("Cette personne n’est pas évaluatrice sur cet appel.")
    tracks = list(call.tracks.filter(pk__in=track_ids)) or [None]
    regions = sorted({code.strip() for code in region_codes if code.strip()}) or [""]
    with transaction.atomic():
        scopes = EvaluatorScope.objects.filter(user=user, call=call)
        before = [(s.track_id, s.region_code) for s in scopes]
        scopes.delete()
        rows = EvaluatorScope.objects.bulk_create(
            EvaluatorScope(user=user, call=call, track=t, region_code=r) for t in tracks for r in regions
        )
        audit_record(action="evaluation.scope", obj=user, by=by, before={"scopes": before},
                     after={"scopes": [(s.track_id, s.region_code) for s in rows]}, call_id=call.pk)
    return rows
