"""Benchmark: import cost of the commune boundaries, then `locate --csv` on 10,000 places, end to end.

Run: .venv/bin/python bench/territory_batch.py [--places 10000] [--repeat 3]
Uses a throwaway SQLite database under a temporary folder (never the development database). Imports the shipped
reference data (communes, boundaries, QPV 2015 and 2024, census), loads the 2019 call, writes a CSV of places —
half the census's tiers-lieux moved by up to 2 km, a quarter random points of the mainland, a tenth overseas, the
rest INSEE codes — and times `python -m fabriques locate --csv FILE --call ami-tiers-lieux-2019` in a new process
(Django start, index builds and CSV writing included), with both QPV vintages.
"""

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "src" / "fabriques" / "territory" / "reference"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(function, repeat: int):
    """Wall and CPU times (this process's CPU plus its finished children's) of each run."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu + _children_cpu() - children)
    return walls, cpus, result


def line(label: str, walls: list[float], cpus: list[float] | None = None) -> str:
    cpu = f"; best {min(cpus):.2f} s CPU" if cpus else ""
    return f"{label}: best {min(walls):.2f} s, median {statistics.median(walls):.2f} s wall{cpu} ({len(walls)} runs)"


def places_write(path: Path, count: int) -> None:
    import numpy as np

    from fabriques.territory.models import Commune, TiersLieu

    rng = np.random.default_rng(2026)
    census = list(TiersLieu.objects.values_list("latitude", "longitude"))
    codes = list(Commune.objects.values_list("code", flat=True))
    overseas = [(16.24, -61.53, 0.15), (14.64, -61.02, 0.1), (4.93, -52.33, 0.2), (-21.1, 55.5, 0.2),
                (-12.78, 45.2, 0.08)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "latitude", "longitude", "code_insee"])
        for at in range(count):
            kind = at % 20
            if kind < 10:
                lat, lon = census[rng.integers(len(census))]
                writer.writerow([at, f"{lat + rng.uniform(-0.018, 0.018):.6f}",
                                 f"{lon + rng.uniform(-0.025, 0.025):.6f}", ""])
            elif kind < 15:
                writer.writerow([at, f"{rng.uniform(43.0, 50.5):.6f}", f"{rng.uniform(-1.0, 7.0):.6f}", ""])
            elif kind < 17:
                lat, lon, spread = overseas[rng.integers(len(overseas))]
                writer.writerow([at, f"{lat + rng.uniform(-spread, spread):.6f}",
                                 f"{lon + rng.uniform(-spread, spread):.6f}", ""])
            else:
                writer.writerow([at, "", "", codes[rng.integers(len(codes))]])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="fabriques-bench-"))
    os.environ["FABRIQUES_VAR_DIR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabriques.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from fabriques.calls.domain import DEFINITIONS_DIR, call_load_file
    from fabriques.territory import domain
    from fabriques.territory.index import boundaries_index

    call_command("migrate", verbosity=0)
    domain.communes_import(path=REFERENCE / "communes" / "communes_2022_centroids.csv.gz")
    boundaries = sorted((REFERENCE / "communes").glob("communes_cog2024_geom2018_gregoiredavid_*.geojson.gz"))

    def import_boundaries():
        domain._PARSED.clear()  # the whole import: parsing, repairs, writes, the check of the commune points
        return domain.commune_boundaries_import(paths=boundaries, force=True)

    first = import_boundaries()
    walls, cpus, report = timed(import_boundaries, args.repeat)
    print(line(f"import the commune boundaries ({report.loaded} communes; first import: {first.repaired} "
               "commune points outside their boundary moved)", walls, cpus))
    domain._PARSED.clear()
    walls, cpus, _ = timed(lambda: domain.commune_boundaries_import(paths=boundaries, force=True), 1)
    walls, cpus, _ = timed(lambda: domain.commune_boundaries_import(paths=boundaries, force=True), args.repeat)
    print(line("  the same, parsed file already in memory (what a test pays after the first)", walls, cpus))
    walls, cpus, index = timed(boundaries_index, 1)
    print(line(f"  build the boundary index ({len(index)} polygons, once per process)", walls, cpus))
    domain.qpv_import(path=REFERENCE / "qpv" / "qpv2024_anct_simplified.geojson.gz", vintage=2024)
    domain.qpv_import(path=REFERENCE / "qpv" / "qpv2015_occitanie_hackaviz2021.geojson.gz", vintage=2015)
    domain.tiers_lieux_import(path=REFERENCE / "tiers_lieux" / "cget_tiers_lieux_2019.csv.gz")
    call = call_load_file(path=DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").call

    places = folder / "places.csv"
    places_write(places, args.places)
    command = [sys.executable, "-m", "fabriques", "locate", "--csv", str(places), "--call", call.slug,
               "--output", str(folder / "result.csv")]
    environment = dict(os.environ)
    for vintage in (2015, 2024):
        call.qpv_vintage = vintage
        call.save(update_fields=["qpv_vintage"])
        walls, cpus, done = timed(lambda: subprocess.run(command, env=environment, capture_output=True, text=True,
                                                         check=True), args.repeat)
        print(line(f"locate --csv, {args.places:,} places, call on the QPV {vintage} (new process, end to end)",
                   walls, cpus))
        print(f"  {done.stderr.strip()}")


if __name__ == "__main__":
    main()
