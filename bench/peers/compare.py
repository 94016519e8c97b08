"""Our review dashboard against pretalx's, same machine, same run: rounds alternate between the two.

Needs a Fabriques base made by `bench/generate.py --dossiers 5000` and a pretalx base made by
`bench/peers/pretalx_seed.py seed --proposals 5000` (in a virtualenv of its own, $PEER_PYTHON). Both are timed
in-process with Django's test client (no network, DEBUG off, SQLite), as an administrator who sees every file.

    .venv/bin/python bench/peers/compare.py --var-dir /tmp/fabriques-perf-5k --rounds 3 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PEER_PYTHON = os.environ.get(
    "PEER_PYTHON", str(Path(tempfile.gettempdir()) / "fabriques-peer-venv" / "bin" / "python"))
OUR_PATH = "/instruction/?sort=-score"


def ours(var_dir: str, repeat: int) -> None:
    os.environ.update(FABRIQUES_DEBUG="0", FABRIQUES_VAR_DIR=var_dir, FABRIQUES_REQUIRE_AGENT_MFA="0",
                      FABRIQUES_SSL_REDIRECT="0", FABRIQUES_ALLOWED_HOSTS="testserver",
                      FABRIQUES_SECRET_KEY="bench-only-secret-key-not-for-production-0123456789",  # noqa: S106
                      DJANGO_SETTINGS_MODULE="fabriques.settings")
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.test import Client

    from fabriques.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="admin@bench.example"))
    assert client.get(OUR_PATH).status_code == 200
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        response = client.get(OUR_PATH)
        walls.append(1000 * (time.perf_counter() - w))
        cpus.append(1000 * (time.process_time() - c))
    print(json.dumps({"tool": "fabriques", "path": OUR_PATH, "bytes": len(response.content), "wall_ms": walls,
                      "cpu_ms": cpus}))


def run(cmd: list[str], env: dict) -> dict:
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--var-dir", default="/tmp/fabriques-perf-5k")  # noqa: S108 - throwaway benchmark data
    parser.add_argument("--pretalx-data", default="/tmp/pretalx-data")  # noqa: S108
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ours-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ours_only:
        ours(args.var_dir, args.repeat)
        return
    results = {"fabriques": {"wall_ms": [], "cpu_ms": []}, "pretalx": {"wall_ms": [], "cpu_ms": []}}
    peer_env = {**os.environ, "PRETALX_DATA_DIR": args.pretalx_data, "PRETALX_DEBUG": "False"}
    for _ in range(args.rounds):
        for name, cmd, env in (
            ("fabriques", [sys.executable, __file__, "--ours-only", "--var-dir", args.var_dir, "--repeat",
                           str(args.repeat)], dict(os.environ)),
            ("pretalx", [PEER_PYTHON, str(ROOT / "bench/peers/pretalx_seed.py"), "time", "--repeat",
                         str(args.repeat)], peer_env),
        ):
            data = run(cmd, env)
            results[name]["wall_ms"] += data["wall_ms"]
            results[name]["cpu_ms"] += data["cpu_ms"]
            results[name]["bytes"] = data["bytes"]
    print(f"load average {os.getloadavg()[0]:.1f}")
    print("| tool | page | requests | wall median | wall p95 | CPU median | CPU p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        w, c = sorted(r["wall_ms"]), sorted(r["cpu_ms"])
        p95w, p95c = w[int(0.95 * (len(w) - 1))], c[int(0.95 * (len(c) - 1))]
        print(f"| {name} | {r['bytes']:,} B | {len(w)} | {statistics.median(w):.0f} ms | {p95w:.0f} ms | "
              f"{statistics.median(c):.0f} ms | {p95c:.0f} ms |")
    ratio_wall = statistics.median(results["pretalx"]["wall_ms"]) / statistics.median(results["fabriques"]["wall_ms"])
    ratio_cpu = statistics.median(results["pretalx"]["cpu_ms"]) / statistics.median(results["fabriques"]["cpu_ms"])
    print(f"\nratio pretalx / fabriques: {ratio_wall:.1f}× (wall, median), {ratio_cpu:.1f}× (CPU, median)")


if __name__ == "__main__":
    main()
