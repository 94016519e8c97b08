"""Benchmark: `python -m fabriques scan-pending` over the attachments of a generated base, on a clamd started here.

Run: .venv/bin/python bench/scan_pending_bench.py [--dossiers 200] [--var-dir /tmp/fabriques-scanbench]
Generates N dossiers with bench/generate.py (about five `not_scanned` attachment rows each, all pointing
to one small placeholder PDF), starts clamd with a one-signature database (see bench/antivirus_scan.py),
then times the command end to end (process start, Django set-up, every scan and state update) and prints
its summary and the files per second. The figure is the cost of our loop and of the INSTREAM protocol on
small files; the real ClamAV databases make each scan slower.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from antivirus_scan import start_clamd

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--var-dir", default="/tmp/fabriques-scanbench")  # noqa: S108 - throwaway benchmark data
    args = parser.parse_args()
    python = str(ROOT / ".venv" / "bin" / "python")
    env = {**os.environ, "FABRIQUES_VAR_DIR": args.var_dir}
    env.pop("DATABASE_URL", None)
    subprocess.run([python, str(ROOT / "bench" / "generate.py"), "--dossiers", str(args.dossiers), "--fresh",
                    "--var-dir", args.var_dir], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as tmp:
        process, address = start_clamd(Path(tmp))
        try:
            started = time.perf_counter()
            done = subprocess.run([python, "-m", "fabriques", "scan-pending"], check=True, env={
                **env, "FABRIQUES_CLAMD": address}, cwd=ROOT, capture_output=True, text=True)
            elapsed = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=20)
    summary = done.stdout.strip()
    scanned = int(summary.split()[0].removeprefix("scanned="))
    print(f"{args.dossiers} dossiers: {summary} in {elapsed:.1f} s wall ({scanned / elapsed:.0f} files/s)")


if __name__ == "__main__":
    main()
