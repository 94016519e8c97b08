"""What an export contains: one block (sheet) per repeated part of a dossier, read chunk by chunk.

Each block is (name, header, rows) where rows is a generator; rows are read with `values_list` in
chunks of CHUNK dossier ids so memory stays flat whatever the size of the wave.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from fabriques.calls.models import Criterion
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Answer, BudgetLine, Dossier, DossierAttachment
from fabriques.evaluation.models import Evaluation, Score
from fabriques.instruction.rules import dossiers_for_instruction

CHUNK = 1000
PARIS = ZoneInfo(settings.TIME_ZONE)
STATE_LABELS = dict(DossierState.choices)


@dataclass
class Block:
    name: str
    header: list[str]
    rows: Iterator[list]


def local(value: dt.datetime | None) -> dt.datetime | None:
    """Naive Europe/Paris time: what spreadsheets show and read back unchanged."""
    return value.astimezone(PARIS).replace(tzinfo=None, microsecond=0) if value else None


def export_queryset(user, wave):
    """The wave's dossiers the agent may see (the instruction visibility rule, in SQL)."""
    return dossiers_for_instruction(user).filter(wave=wave)


def _chunks(qs) -> Iterator[list[int]]:
    ids = list(qs.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


DOSSIER_FIELDS = [
    ("reference", "Référence"), ("uuid", "Identifiant"), ("track__slug", "Entrée"), ("state", "État"),
    ("organisation__name", "Organisation"), ("organisation__siret", "SIRET"), ("place_name", "Lieu"),
    ("place_address", "Adresse"), ("place_commune__code", "Code INSEE"), ("place_commune__name", "Commune"),
    ("place_commune__departement_code", "Département"), ("place_commune__region_code", "Région"),
    ("place_latitude", "Latitude"), ("place_longitude", "Longitude"), ("eligibility_status", "Éligibilité"),
    ("instruction__decision", "Recevabilité"), ("instruction__is_qpv", "QPV"), ("instruction__is_rural", "Rural"),
    ("amount_requested_eur", "Montant demandé (€)"), ("last_deposited_at", "Déposé le"),
    ("state_changed_at", "État changé le"),
]
SCORE_FIELDS = [
    ("score__n_evaluations", "Évaluations"), ("score__weighted", "Note pondérée"), ("score__median", "Médiane"),
    ("score__spread", "Écart"), ("score__calibrated", "Note calibrée"), ("score__band_low", "Bande basse"),
    ("score__band_high", "Bande haute"), ("decision__outcome", "Décision"),
    ("decision__amount_eur", "Montant accordé (€)"), ("decision__applied_at", "Décision appliquée le"),
]


def _yes_no(value):
    return "" if value is None else ("oui" if value else "non")


def _local_or_blank(value):
    return local(value) if value else ""


def _row_function(fields: list[str]):
    """A fast row converter: None → "", then only the columns that need it (dates, booleans, uuids)."""
    converters = []
    for index, name in enumerate(fields):
        last = name.rsplit("__", 1)[-1]
        if last.endswith("_at"):
            converters.append((index, _local_or_blank))
        elif last.startswith("is_") or last == "required":
            converters.append((index, _yes_no))
        elif last == "uuid":
            converters.append((index, str))

    def convert(row) -> list:
        values = ["" if v is None else v for v in row]
        for index, function in converters:
            if values[index] != "":
                values[index] = function(row[index])
        return values

    return convert


def dossier_block(qs, wave, *, with_scores: bool, with_answers: bool) -> Block:
    fields = DOSSIER_FIELDS + (SCORE_FIELDS if with_scores else [])
    criteria = list(Criterion.objects.filter(call_id=wave.call_id).order_by("position").values_list("id", "code"))
    header = [label for _, label in fields] + ([f"Réponse {code}" for _, code in criteria] if with_answers else [])
    state_index = [name for name, _ in fields].index("state")
    convert = _row_function([name for name, _ in fields])

    def rows():
        for ids in _chunks(qs):
            answers = defaultdict(dict)
            if with_answers:
                for dossier_id, criterion_id, text in Answer.objects.filter(dossier_id__in=ids).values_list(
                    "dossier_id", "criterion_id", "text"
                ):
                    answers[dossier_id][criterion_id] = text
            for row in Dossier.objects.filter(id__in=ids).order_by("id").values_list("id", *[f for f, _ in fields]):
                values = convert(row[1:])
                values[state_index] = STATE_LABELS.get(row[1 + state_index], row[1 + state_index])
                if with_answers:
                    values += [answers[row[0]].get(cid, "") for cid, _ in criteria]
                yield values

    return Block("Dossiers", header, rows())


def _child_block(name, header, qs, model, fields, *, order, key="dossier_id") -> Block:
    convert = _row_function(fields)

    def rows():
        for ids in _chunks(qs):
            for row in model.objects.filter(**{f"{key}__in": ids}).order_by(*order).values_list(*fields):
                yield convert(row)

    return Block(name, header, rows())


def blocks(user, wave) -> list[Block]:
    """Every block of a wave's export for this agent: dossiers, answers, budget, attachments (+ scores if allowed)."""
    from fabriques.exports.rules import can_export_scores

    qs = export_queryset(user, wave)
    scores = can_export_scores(user, wave.call)
    result = [
        dossier_block(qs, wave, with_scores=scores, with_answers=False),
        _child_block("Réponses", ["Référence", "Critère", "Réponse"], qs, Answer,
                     ["dossier__reference", "criterion__code", "text"], order=["dossier_id", "criterion__position"]),
        _child_block("Budget", ["Référence", "Année", "Nature", "Catégorie", "Libellé", "Montant (€)",
                                "Demande à l’État", "Cofinanceur"], qs, BudgetLine,
                     ["dossier__reference", "year", "kind", "category", "label", "amount_eur", "is_state_request",
                      "cofunder"], order=["dossier_id", "year", "kind", "id"]),
        _child_block("Pièces", ["Référence", "Pièce", "Nom du fichier", "Taille (octets)", "SHA-256", "Type",
                                "Déposée le"], qs, DossierAttachment,
                     ["dossier__reference", "required__code", "original_name", "size", "sha256", "detected_type",
                      "uploaded_at"], order=["dossier_id", "id"]),
    ]
    if scores:
        result += [
            _child_block("Évaluations", ["Référence", "Évaluateur", "État", "Avis", "Soumise le"], qs, Evaluation,
                         ["assignment__dossier__reference", "assignment__evaluator__email", "state", "opinion",
                          "submitted_at"], order=["assignment__dossier_id", "id"], key="assignment__dossier_id"),
            _score_block(qs),
        ]
    return result


def _score_block(qs) -> Block:
    def rows():
        for ids in _chunks(qs):
            for row in Score.objects.filter(evaluation__assignment__dossier_id__in=ids).order_by(
                "evaluation__assignment__dossier_id", "evaluation_id", "criterion__position"
            ).values_list("evaluation__assignment__dossier__reference", "evaluation__assignment__evaluator__email",
                          "criterion__code", "value", "comment"):
                yield [row[0] or "", row[1], row[2], float(row[3]) if row[3] is not None else "", row[4]]

    return Block("Notes", ["Référence", "Évaluateur", "Critère", "Note", "Commentaire"], rows())


def csv_block(user, wave) -> Block:
    """The CSV export: one row per dossier, answers as columns (repeated blocks are in XLSX/ODS)."""
    from fabriques.exports.rules import can_export_scores

    return dossier_block(export_queryset(user, wave), wave, with_scores=can_export_scores(user, wave.call),
                         with_answers=True)
