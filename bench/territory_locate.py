"""Benchmark: import the 1,609 QPV of 2024, then locate 100,000 random points in France with distances.

Run: .venv/bin/python bench/territory_locate.py [--points 100000] [--repeat 3] [--data DIR]
(default DIR: the reference data shipped in src/fabriques/territory/reference)
Uses a throwaway SQLite database under a temporary folder (never the development database). Prints the
best and median wall time (and CPU time, steadier on a shared machine) of the QPV import (parse, repair,
write, one transaction) and of `locate_points` (projection to the territory's system, nearest perimeter, geodesic
distance to the point found).
Points are uniform in metropolitan France's bounding box (most far from any QPV: the hardest case).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(function, repeat: int) -> tuple[list[float], list[float], object]:
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, result


def line(label: str, walls: list[float], cpus: list[float]) -> str:
    return (f"{label}: best {min(walls):.3f} s, median {statistics.median(walls):.3f} s wall; "
            f"best {min(cpus):.3f} s CPU ({len(walls)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=ROOT / "src" / "fabriques" / "territory" / "reference")
    args = parser.parse_args()

    os.environ["FABRIQUES_VAR_DIR"] = tempfile.mkdtemp(prefix="fabriques-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabriques.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command

    from fabriques.territory import domain
    from fabriques.territory.index import qpv_index
    from fabriques.territory.locate import locate_points

    call_command("migrate", verbosity=0)
    qpv_file = args.data / "qpv" / "qpv2024_anct_simplified.geojson.gz"

    def import_qpv():
        domain._PARSED.clear()  # measure the whole import, parsing included
        return domain.qpv_import(path=qpv_file, vintage=2024, force=True)

    walls, cpus, report = timed(import_qpv, args.repeat)
    print(line(f"import {qpv_file.name} ({report.loaded} QPV, {report.repaired} repaired)", walls, cpus))

    walls, cpus, index = timed(lambda: qpv_index(2024), 1)
    print(line(f"build the per-territory indexes ({len(index)} perimeters, once per process)", walls, cpus))

    rng = np.random.default_rng(2026)
    lons = rng.uniform(-4.8, 8.2, args.points)
    lats = rng.uniform(42.3, 51.1, args.points)
    walls, cpus, bulk = timed(lambda: locate_points(lons, lats, vintage=2024), args.repeat)
    print(line(f"locate {args.points:,} points (inside + nearest QPV + distance in m)", walls, cpus))
    print(f"  inside a QPV: {int(bulk.inside.sum())}; within 500 m: {int((bulk.distance_m <= 500).sum())}; "
          f"median distance {np.median(bulk.distance_m) / 1000:.1f} km")


if __name__ == "__main__":
    main()
