"""Writes of the territory app: imports of reference files, each all-or-nothing in one transaction."""

from __future__ import annotations

import copy
import hashlib
import sys
from pathlib import Path

import numpy as np
import shapely
import shapely.geometry
from django.db import connection, transaction
from tqdm import tqdm

from fabriques.territory.enums import QPV_VINTAGES, Dataset, GeometryStatus
from fabriques.territory.geometry import geodesic_m, perimeter_repair
from fabriques.territory.models import Commune, CommuneBoundary, DatasetImport, Qpv, QpvCommune, TiersLieu, search_key
from fabriques.territory.sources import (
    ImportFileError,
    ImportReport,
    coordinate,
    csv_rows,
    file_sha256,
    geojson_features,
    open_text,
)

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
    with open_text(path) as handle:
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
    try:
        header = _header_of(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path.name} : lecture impossible ({exc}).") from None
    code, lat, lon = (_pick(header, name) for name in ("code", "latitude", "longitude"))
    if code is None or lat is None or lon is None:
        raise ImportFileError(f"{path.name}, ligne 1 : colonnes code_insee, latitude et longitude attendues.")
    points = {}
    for line, row in csv_rows(path, required={code, lat, lon}):
        where = f"{path.name}, ligne {line}"
        points[row[code].upper()] = (
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


def _communes_parse(path: Path, coordinates: Path | None, report: ImportReport, progress: bool) -> dict[str, tuple]:
    points = _coordinates_by_code(coordinates) if coordinates else None
    columns = _commune_columns(path, with_coordinates=points is None)
    communes: dict[str, tuple] = {}
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
    return communes


# Parsed files memoised by SHA-256 within a process: re-importing a file after the tables were emptied (as the
# tests do before each test) costs only the writes. A few entries at most.
_PARSED: dict[tuple, tuple[dict, ImportReport]] = {}
_PARSED_MAX = 8


def _parse_once(report: ImportReport, key: tuple, parse) -> dict:
    hit = _PARSED.get(key)
    if hit is None:
        rows = parse()
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = (rows, copy.deepcopy(report))
        return rows
    rows, counts = hit
    report.read, report.repaired, report.skipped = counts.read, counts.repaired, counts.skipped
    report.notes = list(counts.notes)
    return rows


def communes_import(
    *, path: Path, coordinates: Path | None = None, force: bool = False, progress: bool = False
) -> ImportReport:
    """Upsert every commune of the file by INSEE code and drop the others, all or nothing."""
    sha = file_sha256(path)
    report = ImportReport(dataset=Dataset.COMMUNES, file_name=path.name, sha256=sha)
    if not force and _already_imported(Dataset.COMMUNES, sha):
        report.unchanged = True
        return report
    key = (Dataset.COMMUNES, sha, file_sha256(coordinates) if coordinates else "")
    communes = _parse_once(report, key, lambda: _communes_parse(path, coordinates, report, progress))
    with transaction.atomic():
        _delete_missing(Commune, "code", set(communes))
        _upsert(Commune, _COMMUNE_FIELDS, list(communes.values()), key="code")
        report.loaded = len(communes)
        stored = _boundaries_stored() if CommuneBoundary.objects.exists() else None
        if stored is not None:  # the points are checked again against the boundaries imported before
            commune_points_repair(geometries=stored[0], inner=stored[1], successors=stored[2], report=report)
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


# --- QPV perimeters -------------------------------------------------------------------------------------------

# Property names for each field: the ANCT 2024 file, the 2015 files (data.gouv and Hackaviz), upper-case variants.
_QPV_PROPERTIES = {
    "code": ("code_qp", "CODE_QP"),
    "name": ("lib_qp", "nom_qp", "NOM_QP", "LIB_QP"),
    "communes": ("insee_com", "code_commune", "CODE_COM", "INSEE_COM"),
    "commune_names": ("lib_com", "nom_commune", "commune_qp", "NOM_COM", "LIB_COM"),
    "departement": ("insee_dep", "code_departement", "CODE_DEPT", "INSEE_DEP"),
    "region": ("insee_reg", "code_region", "INSEE_REG"),
}
_QPV_CODE_PREFIX = {2015: "QP", 2024: "QN"}
_QPV_FIELDS = ("vintage", "code", "name", "commune_codes", "commune_names", "departement_code", "region_code",
               "geometry", "geometry_status", "min_lon", "min_lat", "max_lon", "max_lat")


def _prop(properties: dict, field_name: str) -> str:
    for name in _QPV_PROPERTIES[field_name]:
        value = properties.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _departement_of(commune_code: str) -> str:
    return commune_code[:3] if commune_code.startswith("97") else commune_code[:2]


def _qpv_geometry(feature: dict, where: str):
    raw = feature.get("geometry")
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        kind = raw.get("type") if isinstance(raw, dict) else type(raw).__name__
        raise ImportFileError(f"{where} : géométrie {kind} inattendue (Polygon ou MultiPolygon attendu).")
    try:
        geometry = shapely.geometry.shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        raise ImportFileError(f"{where} : géométrie illisible ({exc}).") from None
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ImportFileError(
            f"{where} : coordonnées ({min_lon:.0f}, {min_lat:.0f}) hors des degrés WGS84 : le fichier n’est pas "
            "en EPSG:4326 (Lambert-93 ?). Convertissez-le, par exemple avec ogr2ogr -t_srs EPSG:4326."
        )
    return geometry


def _qpv_row(feature, *, index: int, vintage: int, path: Path, report: ImportReport) -> tuple | None:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict):
        raise ImportFileError(f"{path.name}, entité n° {index} : ce n’est pas une Feature GeoJSON avec des propriétés.")
    code = _prop(properties, "code")
    where = f"{path.name}, entité n° {index} ({code or 'sans code'})"
    if not code:
        raise ImportFileError(f"{where} : propriété code_qp absente.")
    prefix = _QPV_CODE_PREFIX[vintage]
    if not code.startswith(prefix):
        raise ImportFileError(
            f"{where} : le code {code} n’est pas un code {vintage} ({prefix}…) : vérifiez l’option --vintage."
        )
    geometry = _qpv_geometry(feature, where)
    if geometry is None:
        report.skip(where, "géométrie absente")
        return None
    geometry, status, note = perimeter_repair(geometry)
    if status != GeometryStatus.OK:
        report.repair(where, note)
    communes = [c.strip() for c in _prop(properties, "communes").split(",") if c.strip()]
    departement = _prop(properties, "departement") or (_departement_of(communes[0]) if communes else "")
    region = _prop(properties, "region")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    return (
        vintage, code, _prop(properties, "name")[:200], ",".join(communes)[:400], _prop(properties, "commune_names"),
        departement[:3], region[:3], shapely.to_wkb(geometry), status, min_lon, min_lat, max_lon, max_lat,
    )


def _qpv_parse(path: Path, vintage: int, report: ImportReport, progress: bool) -> dict[str, tuple]:
    features = geojson_features(path)
    rows: dict[str, tuple] = {}
    for index, feature in enumerate(_progress(features, enabled=progress, desc=f"QPV {vintage}"), start=1):
        report.read += 1
        row = _qpv_row(feature, index=index, vintage=vintage, path=path, report=report)
        if row is None:
            continue
        if row[1] in rows:
            report.skip(f"{path.name}, entité n° {index}", f"code {row[1]} en double (première occurrence gardée)")
            continue
        rows[row[1]] = row
    return rows


def _qpv_regions_filled(rows: dict[str, tuple]) -> dict[str, tuple]:
    """Files without a region column (the 2015 ones) get the region of the QPV's first commune, when known."""
    lacking = {row[3].split(",")[0] for row in rows.values() if not row[6] and row[3]}
    if not lacking:
        return rows
    regions = dict(Commune.objects.filter(code__in=lacking).values_list("code", "region_code"))
    return {
        code: row if row[6] else (*row[:6], regions.get(row[3].split(",")[0], "")[:3], *row[7:])
        for code, row in rows.items()
    }


def qpv_import(*, path: Path, vintage: int, force: bool = False, progress: bool = False) -> ImportReport:
    """Upsert the QPV of one vintage by code (other vintages untouched), geometries repaired; all or nothing."""
    if vintage not in QPV_VINTAGES:
        raise ImportFileError(f"millésime {vintage} inconnu (attendu : {', '.join(map(str, QPV_VINTAGES))}).")
    dataset = Dataset.for_vintage(vintage)
    sha = file_sha256(path)
    report = ImportReport(dataset=dataset, file_name=path.name, sha256=sha)
    if not force and _already_imported(dataset, sha):
        report.unchanged = True
        return report
    rows = _parse_once(report, (dataset, sha), lambda: _qpv_parse(path, vintage, report, progress))
    rows = _qpv_regions_filled(rows)
    with transaction.atomic():
        _delete_missing(Qpv, "code", set(rows), vintage=vintage)
        _upsert(Qpv, _QPV_FIELDS, list(rows.values()), key=("vintage", "code"))
        _qpv_communes_sync(vintage, {code: row[3].split(",") for code, row in rows.items()})
        report.loaded = len(rows)
        _record(report)
    return report


def _qpv_communes_sync(vintage: int, communes_by_code: dict[str, list[str]]) -> None:
    ids = dict(Qpv.objects.filter(vintage=vintage).values_list("code", "id"))
    wanted = {(ids[code], c) for code, communes in communes_by_code.items() for c in communes if c}
    existing = set(QpvCommune.objects.filter(qpv__vintage=vintage).values_list("qpv_id", "commune_code"))
    stale = existing - wanted
    for qpv_id, commune_code in stale:
        QpvCommune.objects.filter(qpv_id=qpv_id, commune_code=commune_code).delete()
    QpvCommune.objects.bulk_create(
        [QpvCommune(qpv_id=q, commune_code=c) for q, c in sorted(wanted - existing)], batch_size=BATCH
    )


# --- Census of tiers-lieux ------------------------------------------------------------------------------------

_TIERS_LIEUX_COLUMNS = {
    "id": ("ID", "id"),
    "name": ("NOM_TL", "nom"),
    "latitude": ("LAT", "latitude"),
    "longitude": ("LONG", "longitude", "lon"),
    "address": ("ADRESSE", "adresse"),
    "postal_code": ("CP", "code_postal"),
    "commune_code": ("INSEECOM", "code_insee"),
    "commune_name": ("NOMCOM", "commune"),
    "typology": ("TYPO", "typologie"),
}
_TIERS_LIEUX_FIELDS = ("source_id", "name", "address", "postal_code", "commune_code", "commune_name", "typology",
                       "latitude", "longitude")


def _tiers_lieux_columns(path: Path) -> dict[str, str | None]:
    try:
        header = _header_of(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path.name} : lecture impossible ({exc}).") from None
    columns = {key: next((c for c in names if c in header), None) for key, names in _TIERS_LIEUX_COLUMNS.items()}
    missing = [_TIERS_LIEUX_COLUMNS[k][0] for k in ("id", "name", "latitude", "longitude") if columns[k] is None]
    if missing:
        raise ImportFileError(f"{path.name}, ligne 1 : colonnes manquantes {', '.join(missing)}.")
    return columns


def _tiers_lieu_row(row: dict, columns: dict, where: str, report: ImportReport) -> tuple | None:
    def get(key: str) -> str:
        return row.get(columns[key] or "", "").strip()

    lat = coordinate(get("latitude"), axis="latitude", where=where)
    lon = coordinate(get("longitude"), axis="longitude", where=where)
    source_id = get("id")
    if not source_id:
        report.skip(where, "identifiant absent")
        return None
    if lat is None or lon is None:
        report.skip(where, f"tiers-lieu {source_id} sans coordonnées")
        return None
    commune = get("commune_code").upper()
    return (
        source_id, get("name")[:250], get("address")[:300], get("postal_code")[:10],
        commune if len(commune) == 5 else "", get("commune_name")[:120], get("typology")[:120], lat, lon,
    )


def _tiers_lieux_parse(path: Path, report: ImportReport, progress: bool) -> dict[str, tuple]:
    columns = _tiers_lieux_columns(path)
    rows: dict[str, tuple] = {}
    required = {c for c in columns.values() if c}
    for line, row in _progress(csv_rows(path, required=required), enabled=progress, desc="tiers-lieux"):
        report.read += 1
        where = f"{path.name}, ligne {line}"
        place = _tiers_lieu_row(row, columns, where, report)
        if place is None:
            continue
        if place[0] in rows:
            report.skip(where, f"identifiant {place[0]} en double (première occurrence gardée)")
            continue
        rows[place[0]] = place
    return rows


def tiers_lieux_import(*, path: Path, force: bool = False, progress: bool = False) -> ImportReport:
    """Upsert every place of the census by its identifier and drop the others; all or nothing."""
    sha = file_sha256(path)
    report = ImportReport(dataset=Dataset.TIERS_LIEUX, file_name=path.name, sha256=sha)
    if not force and _already_imported(Dataset.TIERS_LIEUX, sha):
        report.unchanged = True
        return report
    rows = _parse_once(report, (Dataset.TIERS_LIEUX, sha), lambda: _tiers_lieux_parse(path, report, progress))
    with transaction.atomic():
        _delete_missing(TiersLieu, "source_id", set(rows))
        _upsert(TiersLieu, _TIERS_LIEUX_FIELDS, list(rows.values()), key="source_id")
        report.loaded = len(rows)
        _record(report)
    return report


# --- Everything found in a folder -----------------------------------------------------------------------------


def _find(directory: Path, pattern: str, *, avoid: str = "") -> Path | None:
    """The first file matching the pattern, compressed (.gz) or not."""
    found = sorted(p for glob in (pattern, f"{pattern}.gz") for p in directory.rglob(glob) if p.is_file())
    preferred = [p for p in found if not avoid or avoid not in p.name]
    return (preferred or found or [None])[0]


def territory_import_dir(*, directory: Path, progress: bool = False) -> list[ImportReport]:
    """Import the communes, their boundaries, QPV of each vintage and census found in a folder (skipping files
    already imported); the boundary files (`*communes*.geojson`, possibly in parts) form one dataset."""
    reports = []
    communes = _find(directory, "*communes*.csv")
    if communes:
        reports.append(communes_import(path=communes, progress=progress))
    boundaries = sorted(p for glob in ("*communes*.geojson", "*communes*.geojson.gz") for p in directory.rglob(glob)
                        if p.is_file())
    if boundaries:
        reports.append(commune_boundaries_import(paths=boundaries, progress=progress))
    for vintage in QPV_VINTAGES:
        # The raw file is preferred to a pre-repaired copy: repairs are then made and reported here.
        qpv = _find(directory, f"*qpv*{vintage}*.geojson", avoid="_valid")
        if qpv:
            reports.append(qpv_import(path=qpv, vintage=vintage, progress=progress))
    census = _find(directory, "*tiers*lieux*.csv")
    if census:
        reports.append(tiers_lieux_import(path=census, progress=progress))
    return reports


# --- Commune boundaries ---------------------------------------------------------------------------------------

_BOUNDARY_PROPERTIES = {
    "code": ("code", "code_insee", "INSEE_COM", "insee_com"),
    "name": ("nom", "NOM", "nom_commune", "NOM_COM"),
    "departement": ("dep", "code_departement", "INSEE_DEP", "insee_dep"),
}
_BOUNDARY_FIELDS = ("code", "name", "departement_code", "former_codes", "geometry", "inner_longitude",
                    "inner_latitude")


def _boundary_prop(properties: dict, field_name: str) -> str:
    for name in _BOUNDARY_PROPERTIES[field_name]:
        value = properties.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _boundary_row(feature, *, index: int, path: Path, report: ImportReport) -> tuple | None:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict):
        raise ImportFileError(f"{path.name}, entité n° {index} : ce n’est pas une Feature GeoJSON avec des propriétés.")
    code = _boundary_prop(properties, "code").upper()
    where = f"{path.name}, entité n° {index} ({code or 'sans code'})"
    if len(code) != 5:
        raise ImportFileError(f"{where} : code INSEE « {code} » invalide (propriété code, 5 caractères attendus).")
    geometry = _qpv_geometry(feature, where)
    if geometry is None:
        report.skip(where, "géométrie absente")
        return None
    geometry, status, note = perimeter_repair(geometry)
    if status == GeometryStatus.COLLAPSED:
        report.skip(where, "contour sans surface")
        return None
    if status != GeometryStatus.OK:
        report.repair(where, note)
    former = properties.get("codes_2018") or []
    former = [str(c).strip().upper() for c in (former if isinstance(former, list) else str(former).split(","))]
    inner = shapely.point_on_surface(geometry)
    departement = _boundary_prop(properties, "departement") or _departement_of(code)
    return (code, _boundary_prop(properties, "name")[:120], departement[:3],
            ",".join(c for c in former if c and c != code)[:400], shapely.to_wkb(geometry), inner.x, inner.y)


def _boundaries_parse(paths: list[Path], report: ImportReport, progress: bool) -> dict[str, tuple]:
    rows: dict[str, tuple] = {}
    for path in paths:
        features = geojson_features(path)
        for index, feature in enumerate(_progress(features, enabled=progress, desc="contours"), start=1):
            report.read += 1
            row = _boundary_row(feature, index=index, path=path, report=report)
            if row is None:
                continue
            if row[0] in rows:
                report.skip(f"{path.name}, entité n° {index}", f"code {row[0]} en double (première occurrence gardée)")
                continue
            rows[row[0]] = row
    return rows


def commune_boundaries_import(*, paths: list[Path], force: bool = False, progress: bool = False) -> ImportReport:
    """Upsert every commune boundary of the files (one dataset, possibly split in parts), all or nothing.

    Then every commune point is checked against its boundary (see `commune_points_repair`).
    """
    paths = sorted(paths, key=lambda p: p.name)
    if not paths:
        raise ImportFileError("aucun fichier de contours de communes indiqué.")
    digests = [file_sha256(p) for p in paths]
    sha = digests[0] if len(digests) == 1 else hashlib.sha256("\n".join(digests).encode()).hexdigest()
    report = ImportReport(dataset=Dataset.COMMUNE_BOUNDARIES, file_name=" + ".join(p.name for p in paths)[:255],
                          sha256=sha)
    if not force and _already_imported(Dataset.COMMUNE_BOUNDARIES, sha):
        report.unchanged = True
        return report
    rows = _parse_once(report, (Dataset.COMMUNE_BOUNDARIES, sha), lambda: _boundaries_parse(paths, report, progress))
    with transaction.atomic():
        _delete_missing(CommuneBoundary, "code", set(rows))
        _upsert(CommuneBoundary, _BOUNDARY_FIELDS, list(rows.values()), key="code")
        report.loaded = len(rows)
        geometries = {code: row[4] for code, row in rows.items()}
        inner = {code: (row[5], row[6]) for code, row in rows.items()}
        successors = {old: code for code, row in rows.items() for old in row[3].split(",") if old}
        commune_points_repair(geometries=geometries, inner=inner, successors=successors, report=report)
        _record(report)
    return report


def _boundaries_stored() -> tuple[dict, dict, dict] | None:
    rows = list(CommuneBoundary.objects.values_list("code", "geometry", "inner_longitude", "inner_latitude",
                                                    "former_codes"))
    if not rows:
        return None
    geometries = {r[0]: bytes(r[1]) for r in rows}
    inner = {r[0]: (r[2], r[3]) for r in rows}
    successors = {old: r[0] for r in rows for old in r[4].split(",") if old}
    return geometries, inner, successors


def commune_points_repair(*, geometries: dict, inner: dict, successors: dict, report: ImportReport) -> int:
    """Check that each commune's point lies inside its boundary; a point outside is reported and replaced.

    A commune merged since is checked against the boundary of the commune it joined, an arrondissement of Paris,
    Lyon or Marseille against its city's. The replacement is the boundary's inner point (always inside). Returns
    the number of points replaced.
    """
    checked = []
    for code, name, parent, lon, lat in Commune.objects.values_list("code", "name", "parent_code", "longitude",
                                                                     "latitude"):
        target = next((c for c in (code, successors.get(code), parent) if c and c in geometries), None)
        if target is not None:
            checked.append((code, name, target, lon, lat))
    if not checked:
        return 0
    shapes = shapely.from_wkb([geometries[c[2]] for c in checked])
    lon = np.array([c[3] for c in checked])
    lat = np.array([c[4] for c in checked])
    inside = shapely.contains_xy(shapes, lon, lat) | shapely.intersects_xy(shapes, lon, lat)
    updates = []
    for at in np.nonzero(~inside)[0]:
        code, name, target, *_ = checked[at]
        line = shapely.shortest_line(shapely.points(lon[at], lat[at]), shapes[at])
        (x0, y0), (x1, y1) = shapely.get_coordinates(line)
        metres = float(geodesic_m(x0, y0, x1, y1)[0])
        new_lon, new_lat = inner[target]
        where = f"commune {code} {name}"
        distance = f"{metres:,.0f}".replace(",", "\u202f")
        report.repair(where, f"son point (lat. {lat[at]:.5f}, long. {lon[at]:.5f}) est à {distance} m hors de "
                             f"son contour ({target}) : remplacé par un point intérieur (lat. {new_lat:.5f}, "
                             f"long. {new_lon:.5f})")
        updates.append((new_lat, new_lon, code))
    if updates:
        quote = connection.ops.quote_name
        table = quote(Commune._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {quote('latitude')} = %s, {quote('longitude')} = %s "  # noqa: S608  # nosec B608 - quoted model names only, values as parameters
                f"WHERE {quote('code')} = %s", updates,
            )
    return len(updates)
