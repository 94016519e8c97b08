"""Refreshing the reference data from its public sources: download, check, import all-or-nothing, say what changed.

`update-territory` (the command) calls `territory_update`. Each dataset has a source (`SOURCES`): the official
file's stable public URL where one exists, a mirror laid out like the shipped `reference/` folder
(`FABRIQUES_TERRITORY_BASE_URL`, e.g. the reference folder of a newer Fabriques release), or a local folder
(`--from`). A download is checked before anything is written: size, gzip or ZIP integrity, the SHA-256 the mirror
publishes in `SHA256SUMS` when it has one, then the whole file is parsed by the importer. All datasets are then
imported in one transaction: one refused file leaves every table as it was.

Dossiers keep the eligibility report computed when they were edited or deposited (stored on the dossier, with
the datasets it was computed from): a refresh changes new checks, never a deposited result.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from fabriques.territory.domain import commune_boundaries_import, communes_import, qpv_import, tiers_lieux_import
from fabriques.territory.enums import Dataset
from fabriques.territory.models import Commune, CommuneBoundary, Qpv, TiersLieu
from fabriques.territory.sources import REFERENCE_DIR, ImportFileError, ImportReport, file_sha256

DOWNLOAD_LIMIT = 300 * 1024 * 1024  # the national QPV archive is ~60 MB; anything far larger is not our file
LISTED = 12  # codes named in a change report before "…"


@dataclass(frozen=True)
class Source:
    """Where one dataset comes from: its path in the shipped folder, and the official URL when there is one."""

    dataset: Dataset
    shipped: str  # path relative to reference/ (and to a mirror's base URL)
    official_url: str = ""
    zip_member: str = ""  # the file to take from the official ZIP archive
    vintage: int | None = None
    parts: tuple[str, ...] = ()  # further files of the same dataset (the boundaries ship in two parts)

    @property
    def files(self) -> tuple[str, ...]:
        return (self.shipped, *self.parts)


SOURCES: dict[str, Source] = {
    Dataset.COMMUNES: Source(Dataset.COMMUNES, "communes/communes_2022_centroids.csv.gz"),
    # Derived files (re-keyed to COG 2024, see reference/communes/PROVENANCE.md): from a mirror or a folder only.
    Dataset.COMMUNE_BOUNDARIES: Source(
        Dataset.COMMUNE_BOUNDARIES, "communes/communes_cog2024_geom2018_gregoiredavid_part1_dep01-49_2A_2B.geojson.gz",
        parts=("communes/communes_cog2024_geom2018_gregoiredavid_part2_dep50-95_97x.geojson.gz",),
    ),
    Dataset.QPV_2024: Source(
        Dataset.QPV_2024, "qpv/qpv2024_anct_simplified.geojson.gz",
        # ANCT's national archive on data.gouv.fr (stable resource link), WGS84 GeoJSON inside.
        official_url="https://www.data.gouv.fr/fr/datasets/r/942d4ee8-8142-4556-8ea1-335537ce1119",
        zip_member="GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson", vintage=2024,
    ),
    Dataset.QPV_2015: Source(Dataset.QPV_2015, "qpv/qpv2015_occitanie_hackaviz2021.geojson.gz", vintage=2015),
    Dataset.TIERS_LIEUX: Source(
        Dataset.TIERS_LIEUX, "tiers_lieux/cget_tiers_lieux_2019.csv.gz",
        official_url="https://raw.githubusercontent.com/anct-carto/mission_coworking/master/CGET_TiersLieux_2019.csv",
    ),
}


class RefreshError(ImportFileError):
    """A source could not be fetched or checked; nothing was imported."""


@dataclass
class DatasetChange:
    """What one import changed: codes added and removed, names changed, or nothing (same content)."""

    dataset: str
    report: ImportReport
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if self.report.unchanged:
            return [f"{self.dataset} : déjà à jour ({self.report.file_name}, même contenu)."]
        lines = [self.report.summary()]
        for label, codes in (("ajouts", self.added), ("retraits (fusion, suppression ou sortie de la liste)",
                                                      self.removed), ("renommages", self.renamed)):
            if codes:
                shown = ", ".join(codes[:LISTED]) + (f" … (+{len(codes) - LISTED})" if len(codes) > LISTED else "")
                lines.append(f"  {label} : {len(codes)} — {shown}")
        if not (self.added or self.removed or self.renamed):
            lines.append("  aucun code ajouté, retiré ni renommé.")
        return lines


# --- Fetching -----------------------------------------------------------------------------------------------------


def _download(url: str, target: Path, *, timeout: float) -> Path:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https"):
        raise RefreshError(f"{url} : adresse non prise en charge (http ou https attendu).")
    request = urllib.request.Request(url, headers={"User-Agent": "Fabriques update-territory"})  # noqa: S310
    try:
        # Scheme checked above (http/https only): nothing else reaches urlopen.
        with urllib.request.urlopen(request, timeout=timeout) as response, target.open("wb") as out:  # noqa: S310  # nosec B310
            size = 0
            while chunk := response.read(1 << 20):
                size += len(chunk)
                if size > DOWNLOAD_LIMIT:
                    raise RefreshError(f"{url} : fichier de plus de {DOWNLOAD_LIMIT // 2**20} Mo, refusé.")
                out.write(chunk)
    except urllib.error.HTTPError as exc:
        raise RefreshError(f"{url} : le serveur a répondu {exc.code} ({exc.reason}).") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RefreshError(f"{url} : téléchargement impossible ({reason}).") from None
    return target


def _published_sums(base_url: str, work: Path, *, timeout: float) -> dict[str, str]:
    """The `SHA256SUMS` of a mirror (sha256sum's format, paths relative to the base), or {} when it has none."""
    try:
        path = _download(f"{base_url}/SHA256SUMS", work / "SHA256SUMS", timeout=timeout)
    except RefreshError:
        return {}
    sums = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and len(parts[0]) == 64:
            sums[parts[1].lstrip("*").removeprefix("./")] = parts[0].lower()
    return sums


def _from_zip(archive: Path, member: str, work: Path) -> Path:
    try:
        with zipfile.ZipFile(archive) as bundle:
            names = bundle.namelist()
            if member not in names:
                raise RefreshError(f"{archive.name} : l’archive ne contient pas {member}.")
            target = work / Path(member).name
            with bundle.open(member) as src, target.open("wb") as out:
                shutil.copyfileobj(src, out)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise RefreshError(f"{archive.name} : archive ZIP illisible ou tronquée ({exc}).") from None
    return target


def _fetch(source: Source, work: Path, *, base_url: str, url: str, sums: dict[str, str], timeout: float,
           shipped: str = "") -> Path:
    """Download one file of a dataset into `work` and check it; returns the file to import."""
    shipped = shipped or source.shipped
    name = Path(shipped).name
    if url:
        target = _download(url, work / f"{source.dataset}-{Path(urllib.parse.urlparse(url).path).name or name}",
                           timeout=timeout)
        if zipfile.is_zipfile(target):
            return _from_zip(target, source.zip_member or "", work) if source.zip_member else _zip_single(target, work)
        return target
    target = _download(f"{base_url}/{shipped}", work / name, timeout=timeout)
    expected = sums.get(shipped)
    if expected:
        actual = hashlib.sha256(target.read_bytes()).hexdigest()
        if actual != expected:
            raise RefreshError(
                f"{name} : empreinte SHA-256 {actual[:12]}… différente de celle publiée ({expected[:12]}…) : "
                "fichier altéré ou incomplet, rien n’a été importé."
            )
    return target


def _zip_single(archive: Path, work: Path) -> Path:
    with zipfile.ZipFile(archive) as bundle:
        data = [n for n in bundle.namelist() if n.lower().endswith((".csv", ".geojson", ".json"))]
    if len(data) != 1:
        raise RefreshError(f"{archive.name} : archive ZIP sans fichier CSV/GeoJSON unique ; précisez le fichier.")
    return _from_zip(archive, data[0], work)


# --- Importing with a change report ---------------------------------------------------------------------------------


def _names(dataset: str, source: Source) -> dict[str, str]:
    if dataset == Dataset.COMMUNES:
        return dict(Commune.objects.values_list("code", "name"))
    if dataset == Dataset.COMMUNE_BOUNDARIES:
        return dict(CommuneBoundary.objects.values_list("code", "name"))
    if source.vintage is not None:
        return dict(Qpv.objects.filter(vintage=source.vintage).values_list("code", "name"))
    return dict(TiersLieu.objects.values_list("source_id", "name"))


def _importer(source: Source) -> Callable[[list[Path]], ImportReport]:
    if source.dataset == Dataset.COMMUNES:
        return lambda paths: communes_import(path=paths[0])
    if source.dataset == Dataset.COMMUNE_BOUNDARIES:
        return lambda paths: commune_boundaries_import(paths=paths)
    if source.vintage is not None:
        return lambda paths: qpv_import(path=paths[0], vintage=source.vintage)
    return lambda paths: tiers_lieux_import(path=paths[0])


def _import_with_changes(source: Source, paths: list[Path]) -> DatasetChange:
    before = _names(source.dataset, source)
    report = _importer(source)(paths)
    change = DatasetChange(dataset=str(source.dataset), report=report)
    if report.unchanged:
        return change
    after = _names(source.dataset, source)
    change.added = sorted(f"{c} {after[c]}" for c in after.keys() - before.keys())
    change.removed = sorted(f"{c} {before[c]}" for c in before.keys() - after.keys())
    change.renamed = sorted(
        f"{c} {before[c]} → {after[c]}" for c in before.keys() & after.keys() if before[c] != after[c]
    )
    return change


def _selected(datasets: list[str] | None) -> list[Source]:
    if not datasets:
        return list(SOURCES.values())
    unknown = [d for d in datasets if d not in SOURCES]
    if unknown:
        raise RefreshError(f"jeu de données inconnu : {', '.join(unknown)} (attendu : {', '.join(SOURCES)}).")
    return [SOURCES[d] for d in datasets]


def territory_update(
    *,
    datasets: list[str] | None = None,
    directory: Path | None = None,
    base_url: str | None = None,
    urls: dict[str, str] | None = None,
    timeout: float | None = None,
) -> list[DatasetChange]:
    """Fetch (or read from `directory`), check and import the chosen datasets together; any refusal imports nothing.

    Sources, in order: `urls[dataset]`, then `directory`, then `base_url` (a mirror laid out like reference/),
    then the official URL; a dataset without any is read from the shipped folder.
    """
    urls = {**getattr(settings, "FABRIQUES_TERRITORY_URLS", {}), **(urls or {})}
    base = (base_url or getattr(settings, "FABRIQUES_TERRITORY_BASE_URL", "")).rstrip("/")
    timeout = timeout or getattr(settings, "FABRIQUES_TERRITORY_TIMEOUT", 60)
    sources = _selected(datasets)
    work = Path(tempfile.mkdtemp(prefix="fabriques-territory-"))
    try:
        sums = _published_sums(base, work, timeout=timeout) if base and not directory else {}
        files: dict[str, list[Path]] = {}
        for source in sources:
            if urls.get(source.dataset):
                if source.parts:
                    raise RefreshError(f"{source.dataset} : plusieurs fichiers ; utilisez --base-url ou --from.")
                files[source.dataset] = [_fetch(source, work, base_url="", url=urls[source.dataset], sums={},
                                                timeout=timeout)]
            elif directory is not None:
                files[source.dataset] = [_local(directory, shipped) for shipped in source.files]
            elif base:
                files[source.dataset] = [_fetch(source, work, base_url=base, url="", sums=sums, timeout=timeout,
                                                shipped=shipped) for shipped in source.files]
            elif source.official_url:
                files[source.dataset] = [_fetch(source, work, base_url="", url=source.official_url, sums={},
                                                timeout=timeout)]
            else:
                files[source.dataset] = [REFERENCE_DIR / shipped for shipped in source.files]
        for paths in files.values():
            for path in paths:
                file_sha256(path)  # a damaged compressed file is refused before any write
        with transaction.atomic():
            return [_import_with_changes(source, files[source.dataset]) for source in sources]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _local(directory: Path, shipped: str) -> Path:
    for candidate in (directory / shipped, directory / Path(shipped).name,
                      directory / shipped.removesuffix(".gz"), directory / Path(shipped).stem):
        if candidate.is_file():
            return candidate
    raise RefreshError(f"{directory} : fichier {Path(shipped).name} introuvable (ni compressé ni en clair).")
