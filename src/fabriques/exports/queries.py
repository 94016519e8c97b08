"""What an export contains: one block (sheet, or CSV file) per repeated part of a dossier, streamed.

Each block is a `values_list` queryset scoped in SQL to the agent's dossiers (a sub-query, one
statement per block) read CHUNK rows at a time, so memory stays flat whatever the size of the wave,
plus converters chosen once per block (None → "", dates to Paris time, yes/no, labels). Child rows are
ordered by dossier then id (criteria by id, not position: the sort by position cost 30 % of the
answers' query on SQLite, a temporary B-tree instead of the unique index).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.db.models import Case, CharField, F, FloatField, QuerySet, Value, When
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI

from fabriques.dossiers.enums import ChargeCategory, ResourceCategory
from fabriques.dossiers.models import Answer, BudgetLine, DossierAttachment
from fabriques.evaluation.models import Evaluation, Score
from fabriques.exports.csvlines import csv_lines
from fabriques.exports.models import ExportJob
from fabriques.exports.sqltext import AsText, kind_of
from fabriques.instruction.eligibility import eligibility_label_expression
from fabriques.instruction.rules import dossiers_for_instruction
from fabriques.territory.enums import ELIGIBILITY_LABELS

CHUNK = 2000
COPY_CHUNK = 1 << 20
PARIS = ZoneInfo(settings.TIME_ZONE)
CATEGORY_LABELS = {**dict(ChargeCategory.choices), **dict(ResourceCategory.choices)}


@dataclass
class Block:
    name: str
    header: list[str]
    source: QuerySet
    converters: dict[int, Callable]
    csv_source: QuerySet  # the same rows, every column rendered as text by the database (floats: SQLite aside)
    csv_floats: frozenset[int]  # SQLite: the columns left as numbers, written by Python (see `sqltext`)

    def batches(self) -> Iterator[list[list]]:
        """The block's rows CHUNK at a time, as columns (one list per column), every value converted.

        The rows are read through the query's compiler, as `QuerySet.iterator()` does (a server-side
        cursor on PostgreSQL, `fetchmany` on SQLite), but Django's converters and ours run column by
        column: the per-row loop of `iterator()` cost more than the SQL itself at 500,000 rows.
        """
        compiler = self.source.query.get_compiler(self.source.db)
        django_converters = None
        for chunk in compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=CHUNK):
            if django_converters is None:  # known once the query is compiled
                django_converters = compiler.get_converters([s[0] for s in compiler.select[:compiler.col_count]])
            columns = list(zip(*chunk, strict=True))
            for index, (functions, expression) in django_converters.items():
                if index in self.converters:
                    continue
                for function in functions:
                    columns[index] = [function(v, expression, compiler.connection) for v in columns[index]]
            for index, column in enumerate(columns):
                function = self.converters.get(index)
                if function is not None:
                    columns[index] = ["" if v is None else function(v) for v in column]
                elif None in column:
                    columns[index] = ["" if v is None else v for v in column]
            yield columns

    @property
    def rows(self) -> Iterator[list]:
        """The block's rows one by one (lists of converted values)."""
        for columns in self.batches():
            yield from map(list, zip(*columns, strict=True))

    def csv_chunks(self) -> Iterator[tuple[bytes, int]]:
        """The block's CSV lines by chunks, each with the number of rows it holds (0 when not known).

        The database renders the values (`sqltext`). On SQLite the strings are fetched as bytes (the
        connection's `text_factory` switched for the fetch only), so 100 MB of answers are neither decoded
        nor encoded again, then quoted and joined column by column (`csvlines`). On PostgreSQL the server
        writes the CSV itself (`COPY (…) TO STDOUT`): it quotes only the fields that need it and ends lines
        with LF, as `csv_lines` does; no row or value is built client-side (1.6 s for 20,000 dossiers where
        fetching rows and joining them took 3.7 s). Its messages (one per row) are gathered into chunks of
        COPY_CHUNK bytes, and the rows copied are counted at the end of the block.
        """
        compiler = self.csv_source.query.get_compiler(self.csv_source.db)
        sql, params = compiler.as_sql()
        connection = compiler.connection
        if connection.vendor == "postgresql":
            yield from _copy_chunks(connection, sql, params)
            return
        with connection.cursor() as cursor:
            statement = (sql, params)
            while rows := _fetch_as_bytes(cursor, connection.connection, statement):
                statement = None
                columns = list(zip(*rows, strict=True))
                for index in self.csv_floats:
                    columns[index] = [b"" if v is None else repr(v).encode() for v in columns[index]]
                yield csv_lines(columns), len(rows)

    def count(self) -> int:
        return self.source.count()


def _copy_chunks(connection, sql: str, params) -> Iterator[tuple[bytes, int]]:
    """PostgreSQL: `COPY (sql) TO STDOUT` as chunks of about COPY_CHUNK bytes, then (b"", rows copied)."""
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
            parts, size = [], 0
            for data in copy:
                parts.append(bytes(data))
                size += len(data)
                if size >= COPY_CHUNK:
                    yield b"".join(parts), 0
                    parts, size = [], 0
            yield b"".join(parts), 0
        yield b"", cursor.cursor.rowcount


def _fetch_as_bytes(cursor, raw, statement: tuple | None) -> list[tuple]:
    """SQLite: execute `statement` (sql, params) if given, then fetch CHUNK rows, text as bytes.

    The text factory of the connection `raw` is read as each row is converted (at execute for the first
    row, at fetch for the next), so it is switched around both and restored at once: no other query of
    the connection is affected.
    """
    previous, raw.text_factory = raw.text_factory, bytes
    try:
        if statement:
            cursor.execute(*statement)
        return cursor.fetchmany(CHUNK)
    finally:
        raw.text_factory = previous


def paris_time(value) -> dt.datetime:
    """Naive Europe/Paris time, what spreadsheets show and read back unchanged, of a date-time as the
    database driver returns it: aware (PostgreSQL), naive UTC or UTC ISO text (SQLite, depending on
    whether the driver parsed the column's declared type).

    Django's SQLite converter (make aware, read settings) doubled the cost of each date: 0.4 s for the
    attachments and dossiers of 20,000 dossiers.
    """
    if value.__class__ is str:
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(PARIS).replace(tzinfo=None, microsecond=0)


def _uuid_text(value) -> str:
    """A uuid as the database returns it (a UUID, or 32 hex digits on SQLite) in its dashed form."""
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(value))


def export_queryset(user, wave):
    """The wave's dossiers the agent may see (the instruction visibility rule, in SQL)."""
    return dossiers_for_instruction(user).filter(wave=wave)


DOSSIER_FIELDS = [
    # Codes for programs (the track's slug, the criterion's code: stable keys), their titles beside them for readers
    # (not in Notes: 12 rows per evaluation, 2.5 M at 100,000 dossiers, where 50 bytes more a row cost a second).
    ("reference", "Référence"), ("uuid", "Identifiant"), ("track__slug", "Entrée"),
    ("track__title", "Intitulé de l’entrée"), ("state", "État"),
    ("organisation__name", "Organisation"), ("organisation__siret", "SIRET"), ("place_name", "Lieu"),
    ("place_address", "Adresse"), ("place_commune__code", "Code INSEE"), ("place_commune__name", "Commune"),
    ("place_commune__departement_code", "Département"), ("place_commune__region_code", "Région"),
    ("place_latitude", "Latitude"), ("place_longitude", "Longitude"),
    # The one eligibility truth (`instruction.eligibility`) in the interface's words, « Éligibilité forcée : motif »
    # included; the computed result beside it.
    (eligibility_label_expression(), "Éligibilité"), ("eligibility_status", "Éligibilité calculée"),
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
    return "oui" if value else "non"  # a bool, or 0/1 as SQLite returns it


def _converters(fields: list, labels: dict[str, dict] | None) -> dict[int, Callable]:
    """Our conversions by column index (of raw database values): labels, Paris time, oui/non, uuids."""
    converters = {}
    for index, name in enumerate(fields):
        last = name.rsplit("__", 1)[-1] if isinstance(name, str) else ""
        if labels and name in labels:
            converters[index] = lambda value, names=labels[name]: names.get(value, value)
        elif last.endswith("_at"):
            converters[index] = paris_time
        elif last.startswith("is_"):
            converters[index] = _yes_no
        elif last == "uuid":
            converters[index] = _uuid_text
    return converters


def _field_at(model, path: str):
    """The model field a `__` path of a values_list ends on (through forward and reverse relations)."""
    *relations, last = path.split("__")
    for part in relations:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(last)


def _csv_column(model, field, labels: dict[str, dict] | None, vendor: str):
    """A column of the CSV query: the value as text rendered by the database, or the float itself (SQLite)."""
    if labels and field in labels:
        named = Case(*(When(**{field: code}, then=Value(label)) for code, label in labels[field].items()),
                     default=F(field), output_field=CharField())
        return AsText(named, "text")
    if isinstance(field, str):
        kind, expression = kind_of(_field_at(model, field)), F(field)
    else:
        kind, expression = kind_of(field.output_field), field
    return expression if kind == "float" and vendor == "sqlite" else AsText(expression, kind)


def _labels(model, fields: list, labels: dict[str, dict] | None) -> dict[str, dict]:
    """French labels by field path: those given, else the choices of the model field (codes become words)."""
    found = dict(labels or {})
    for field in fields:
        if isinstance(field, str) and field not in found and _field_at(model, field).choices:
            found[field] = {code: str(label) for code, label in _field_at(model, field).flatchoices}
    return found


def _block(name: str, columns: list[tuple], source: QuerySet, *, order: list[str], labels=None) -> Block:
    fields = [field for field, _ in columns]
    labels = _labels(source.model, fields, labels)
    ordered = source.order_by(*order)
    vendor = connections[source.db].vendor
    csv_columns = [_csv_column(source.model, field, labels, vendor) for field in fields]
    return Block(name, [label for _, label in columns], ordered.values_list(*fields), _converters(fields, labels),
                 ordered.values_list(*csv_columns),
                 frozenset(i for i, column in enumerate(csv_columns) if not isinstance(column, AsText)))


def blocks(user, wave) -> list[Block]:
    """Every block of a wave's export for this agent: dossiers, answers, budget, attachments (+ scores if allowed)."""
    from fabriques.exports.rules import can_export_scores

    dossiers = export_queryset(user, wave)
    mine = dossiers.values("id")
    scores = can_export_scores(user, wave.call)
    result = [
        _block("Dossiers", DOSSIER_FIELDS + (SCORE_FIELDS if scores else []), dossiers, order=["id"],
               labels={"eligibility_status": ELIGIBILITY_LABELS}),
        _block("Réponses", [("dossier__reference", "Référence"), ("criterion__code", "Critère"),
                             ("criterion__title", "Intitulé du critère"), ("text", "Réponse")],
               Answer.objects.filter(dossier__in=mine), order=["dossier_id", "criterion_id"]),
        _block("Budget", [("dossier__reference", "Référence"), ("year", "Année"), ("kind", "Nature"),
                          ("category", "Catégorie"), ("label", "Libellé"), ("amount_eur", "Montant (€)"),
                          ("is_state_request", "Demande à l’État"), ("cofunder", "Cofinanceur")],
               BudgetLine.objects.filter(dossier__in=mine), order=["dossier_id", "year", "kind", "id"],
               labels={"category": CATEGORY_LABELS}),
        _block("Pièces", [("dossier__reference", "Référence"), ("required__code", "Pièce"),
                          ("original_name", "Nom du fichier"), ("size", "Taille (octets)"), ("sha256", "SHA-256"),
                          ("detected_type", "Type"), ("uploaded_at", "Déposée le")],
               DossierAttachment.objects.filter(dossier__in=mine), order=["dossier_id", "id"]),
    ]
    if scores:
        result += [
            _block("Évaluations", [("assignment__dossier__reference", "Référence"),
                                   ("assignment__evaluator__email", "Évaluateur"), ("state", "État"),
                                   ("opinion", "Avis"), ("submitted_at", "Soumise le")],
                   Evaluation.objects.filter(assignment__dossier__in=mine), order=["assignment__dossier_id", "id"]),
            _block("Notes", [("evaluation__assignment__dossier__reference", "Référence"),
                             ("evaluation__assignment__evaluator__email", "Évaluateur"),
                             ("criterion__code", "Critère"), (Cast("value", FloatField()), "Note"),
                             ("comment", "Commentaire")],
                   Score.objects.filter(evaluation__assignment__dossier__in=mine),
                   order=["evaluation__assignment__dossier_id", "evaluation_id", "criterion_id"]),
        ]
    return result


def export_row_count(user, wave) -> int:
    """How many rows the agent's export of the wave holds, all blocks together (the progress total)."""
    return sum(block.count() for block in blocks(user, wave))


def jobs_of(user, wave, limit: int = 20):
    """The agent's latest export jobs of the wave (newest first)."""
    return ExportJob.objects.filter(requested_by=user, wave=wave).order_by("-created_at", "-id")[:limit]
