"""Reading reference files: CSV and GeoJSON checked up front, errors naming the line or the feature.

Nothing here writes to the database; `domain.py` does, in one transaction.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

# The reference files shipped with the project (compressed, each with its PROVENANCE.md): what `make run` imports.
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# What reading a damaged compressed file raises: a bad header (OSError), a truncated stream (EOFError), bad data.
_GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


class ImportFileError(ValueError):
    """The file cannot be imported as a whole; the message names the file and the line or feature."""


@dataclass
class ImportReport:
    """Counts of one import: rows read, loaded, repaired, skipped (each skip and repair with its reason)."""

    dataset: str
    file_name: str
    sha256: str
    read: int = 0
    loaded: int = 0
    repaired: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)
    unchanged: bool = False

    def skip(self, where: str, reason: str) -> None:
        self.skipped += 1
        self.notes.append(f"{where} ignorée : {reason}")

    def repair(self, where: str, what: str) -> None:
        self.repaired += 1
        self.notes.append(f"{where} réparée : {what}")

    def summary(self) -> str:
        if self.unchanged:
            return f"{self.dataset} : {self.file_name} déjà importé (même SHA-256), rien n’a changé."
        return (
            f"{self.dataset} : {self.file_name} — lues {self.read}, chargées {self.loaded}, "
            f"réparées {self.repaired}, ignorées {self.skipped}"
        )


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, decompressed on the fly when its name ends with .gz."""
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def _damaged(path: Path) -> ImportFileError:
    return ImportFileError(
        f"{path.name} : fichier compressé illisible ou tronqué (gzip) ; téléchargez-le à nouveau."
    )


def file_sha256(path: Path) -> str:
    """SHA-256 of the file's content, decompressed when it is a .gz: the same data gives the same digest."""
    digest = hashlib.sha256()
    try:
        with open_binary(path) as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        if isinstance(exc, gzip.BadGzipFile):
            raise _damaged(path) from None
        raise ImportFileError(f"{path.name} : lecture impossible ({exc.strerror or exc}).") from None
    except _GZIP_ERRORS:
        raise _damaged(path) from None
    return digest.hexdigest()


def open_text(path: Path) -> io.TextIOWrapper:
    """The file as UTF-8 text (a BOM is dropped), decompressed when it is a .gz."""
    return io.TextIOWrapper(open_binary(path), encoding="utf-8-sig", newline="")


def csv_rows(path: Path, *, required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) of a UTF-8 CSV (comma or semicolon); missing columns raise before any row."""
    try:
        handle = open_text(path)
    except OSError as exc:
        raise ImportFileError(f"{path.name} : lecture impossible ({exc.strerror}).") from None
    with handle:
        try:
            first = handle.readline()
        except UnicodeDecodeError:
            raise ImportFileError(f"{path.name} : le fichier n’est pas encodé en UTF-8.") from None
        except _GZIP_ERRORS:
            raise _damaged(path) from None
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])]
        missing = sorted(required - set(header))
        if missing:
            raise ImportFileError(
                f"{path.name}, ligne 1 : colonnes manquantes {', '.join(missing)} "
                f"(colonnes trouvées : {', '.join(header) or 'aucune'})."
            )
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            for offset, values in enumerate(reader):
                if not any(v.strip() for v in values):
                    continue
                yield offset + 2, dict(zip(header, (v.strip() for v in values), strict=False))
        except UnicodeDecodeError:
            raise ImportFileError(f"{path.name} : le fichier n’est pas encodé en UTF-8.") from None
        except _GZIP_ERRORS:
            raise _damaged(path) from None


def coordinate(value: str, *, axis: str, where: str) -> float | None:
    """A latitude or longitude in degrees; None when empty; unparsable or out-of-range values raise."""
    text = (value or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ImportFileError(f"{where} : {axis} illisible « {value} » (nombre décimal attendu).") from None
    bound = 90 if axis == "latitude" else 180
    if not math.isfinite(number) or abs(number) > bound:
        raise ImportFileError(
            f"{where} : {axis} {value} hors de [-{bound}, {bound}] (degrés WGS84 attendus, EPSG:4326)."
        )
    return number


_LONLAT_CRS = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326"}


def geojson_features(path: Path) -> list[dict]:
    """The features of a GeoJSON FeatureCollection in lon/lat; anything else raises."""
    try:
        with open_binary(path) as handle:
            data = json.load(handle)
    except _GZIP_ERRORS:
        raise _damaged(path) from None
    except OSError as exc:
        raise ImportFileError(f"{path.name} : lecture impossible ({exc.strerror}).") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f"ligne {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else "encodage"
        raise ImportFileError(f"{path.name} : ce n’est pas un fichier GeoJSON (JSON illisible, {where}).") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
        data.get("features"), list
    ):
        raise ImportFileError(f"{path.name} : ce n’est pas une FeatureCollection GeoJSON.")
    crs = (data.get("crs") or {}).get("properties", {}).get("name")
    if crs and crs not in _LONLAT_CRS:
        raise ImportFileError(
            f"{path.name} : système de coordonnées {crs} non pris en charge ; "
            "convertissez le fichier en WGS84 (EPSG:4326 / CRS84), par exemple avec ogr2ogr -t_srs EPSG:4326."
        )
    return data["features"]
