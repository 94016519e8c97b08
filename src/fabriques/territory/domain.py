"""Writes of the territory app: imports of reference files, each all-or-nothing in one transaction."""

from __future__ import annotations

import sys
from pathlib import Path

from django.db import connection, transaction
from tqdm import tqdm

from fabriques.territory.enums import Dataset
from fabriques.territory.models import Commune, DatasetImport, search_key
from fabriques.territory.sources import ImportFileError, ImportReport, coordinate, csv_rows, file_sha256

BATCH = 2000

# Column names accepted for each field of a commune (the shared sample, INSEE's COG, common exports).
_COMMUNE_COLUMNS = {
    "code": ("code_insee", "COM", "code_commune_insee", "code"),
    "name": ("nom", "LIBELLE", "nom_commune", "name"),
    "departement": ("code_departement", "DEP", "departement"),
    "region": ("code_region", "REG", "region"),
    "parent": ("commune_parente", "COMPARENT"),
    "postal": ("codes_postaux", "code_postal"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng"),
}
_SKIPPED_COG_TYPES = {"COMA": "commune associée", "COMD": "commune déléguée"}


def _progress(iterable, *, enabled: bool, desc: str, total: int | None = None):
    return tqdm(iterable, desc=desc, total=total, file=sys.stderr, disable=not enabled, unit=" lignes")


def _header_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig") as handle:
        first = handle.readline()
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [h.strip() for h in first.strip().split(delimiter)]


def _pick(header: list[str], field_name: str) -> str | None:
    return next((c for c in _COMMUNE_COLUMNS[field_name] if c in header), None)


def _commune_columns(path: Path, *, with_coordinates: bool) -> dict[str, str | None]:
    try:
        header = _header_of(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path.name} : lecture impossible ({exc}).") from None
    columns = {name: _pick(header, name) for name in _COMMUNE_COLUMNS}
    needed = ["code", "name", "departement"] + (["latitude", "longitude"] if with_coordinates else [])
    missing = [_COMMUNE_COLUMNS[n][0] for n in needed if columns[n] is None]
    if missing:
        raise ImportFileError(f"{path.name}, ligne 1 : colonnes manquantes {', '.join(missing)}.")
    return columns


def _coordinates_by_code(path: Path) -> dict[str, tuple[float | None, float | None]]:
    columns = _commune_columns(path, with_coordinates=False)
    lat, lon = _pick(_header_of(path), "latitude"), _pick(_header_of(path), "longitude")
    if lat is None or lon is None:
        raise ImportFileError(f"{path.name}, ligne 1 : colonnes manquantes latitude, longitude.")
    points = {}
    for line, row in csv_rows(path, required={columns["code"], lat, lon}):
        where = f"{path.name}, ligne {line}"
        points[row[columns["code"]]] = (
            coordinate(row[lat], axis="latitude", where=where),
            coordinate(row[lon], axis="longitude", where=where),
        )
    return points


def _already_imported(dataset: str, sha256: str) -> bool:
    latest = DatasetImport.objects.filter(dataset=dataset).order_by("-imported_at", "-id").first()
    return latest is not None and latest.sha256 == sha256


def _record(report: ImportReport) -> DatasetImport:
    return DatasetImport.objects.create(
        dataset=report.dataset, file_name=report.file_name, sha256=report.sha256, rows_read=report.read,
        rows_loaded=report.loaded, rows_repaired=report.repaired, rows_skipped=report.skipped, notes=report.notes,
    )


def _commune_from_row(row, columns, where, report, points) -> tuple | None:
    code = row[columns["code"]].upper()
    cog_type = row.get("TYPECOM", "")
    if cog_type in _SKIPPED_COG_TYPES:
        report.skip(where, f"{code} est une {_SKIPPED_COG_TYPES[cog_type]} (pas une commune de plein exercice)")
        return None
    if len(code) != 5:
        report.skip(where, f"code INSEE « {code} » invalide (5 caractères attendus)")
        return None
    if points is not None:
        lat, lon = points.get(code, (None, None))
    else:
        lat = coordinate(row[columns["latitude"]], axis="latitude", where=where)
        lon = coordinate(row[columns["longitude"]], axis="longitude", where=where)
    if lat is None or lon is None:
        report.skip(where, f"commune {code} sans coordonnées")
        return None
    name = row[columns["name"]]
    postal = row.get(columns["postal"] or "", "")
    return (
        code, name, row[columns["departement"]].upper(), row.get(columns["region"] or "", ""),
        " ".join(postal.replace("|", " ").replace(",", " ").split())[:200], lat, lon,
        row.get(columns["parent"] or "", ""), search_key(name)[:120],
    )


def communes_import(
    *, path: Path, coordinates: Path | None = None, force: bool = False, progress: bool = False
) -> ImportReport:
    """Upsert every commune of the file by INSEE code and drop the others, all or nothing."""
    sha = file_sha256(path)
    report = ImportReport(dataset=Dataset.COMMUNES, file_name=path.name, sha256=sha)
    if not force and _already_imported(Dataset.COMMUNES, sha):
        report.unchanged = True
        return report
    points = _coordinates_by_code(coordinates) if coordinates else None
    columns = _commune_columns(path, with_coordinates=points is None)
    communes: dict[str, Commune] = {}
    required = {c for c in columns.values() if c}
    for line, row in _progress(csv_rows(path, required=required), enabled=progress, desc="communes"):
        report.read += 1
        where = f"{path.name}, ligne {line}"
        commune = _commune_from_row(row, columns, where, report, points)
        if commune is None:
            continue
        if commune[0] in communes:
            report.skip(where, f"code {commune[0]} en double (première occurrence gardée)")
            continue
        communes[commune[0]] = commune
    with transaction.atomic():
        _delete_missing(Commune, "code", set(communes))
        _upsert(Commune, _COMMUNE_FIELDS, list(communes.values()), key="code")
        report.loaded = len(communes)
        _record(report)
    return report


_COMMUNE_FIELDS = ("code", "name", "departement_code", "region_code", "postal_codes", "latitude", "longitude",
                   "parent_code", "search_name")


def _upsert(model, fields: tuple[str, ...], rows: list[tuple], *, key: str | tuple[str, ...]) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE in batches (SQLite ≥ 3.24 and PostgreSQL): ids of known keys stay."""
    keys = (key,) if isinstance(key, str) else key
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(f).column for f in fields]
    updates = ", ".join(
        f"{quote(c)} = excluded.{quote(c)}" for c, f in zip(columns, fields, strict=True) if f not in keys
    )
    # Only quoted model table/column names are interpolated; values go as parameters.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(quote(model._meta.get_field(k).column) for k in keys)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])


def _delete_missing(model, key: str, keep: set[str], **scope) -> int:
    """Delete the rows of `model` (within `scope`) whose `key` is not in `keep`, in batches SQLite accepts."""
    stale = [k for k in model.objects.filter(**scope).values_list(key, flat=True) if k not in keep]
    for start in range(0, len(stale), 500):
        model.objects.filter(**scope, **{f"{key}__in": stale[start:start + 500]}).delete()
    return len(stale)
