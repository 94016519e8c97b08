"""Benchmark: time of one INSTREAM scan by our client, per file size, on a clamd started here.

Run: .venv/bin/python bench/antivirus_scan.py [--repeat 5]
Starts clamd with a one-signature database (EICAR body, written with sigtool) in a temp dir, scans PDFs
of 100 kB, 1 MB, 10 MB and 20 MB (the largest attachment limit of the 2019 call) and prints the median
and worst wall time. The real ClamAV databases (millions of signatures) make each scan slower and clamd
itself needs about 1 GB of memory: these figures are the protocol's cost, not the production figure.
"""

import argparse
import io
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from fabriques.security.antivirus import ScanState, parse_address, scan_stream

SIZES_MB = (0.1, 1, 10, 20)
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*").encode("ascii")


def start_clamd(root: Path) -> tuple[subprocess.Popen, str]:
    (root / "db").mkdir()
    hex_body = subprocess.run(["sigtool", "--hex-dump"], input=EICAR, check=True, capture_output=True).stdout
    (root / "db" / "bench.ndb").write_text(f"Bench.Eicar:0:*:{hex_body.decode().strip()}\n")
    conf = root / "clamd.conf"
    conf.write_text(f"LocalSocket {root / 'clamd.sock'}\nDatabaseDirectory {root / 'db'}\nForeground yes\n"
                    f"LogFile {root / 'clamd.log'}\nStreamMaxLength 25M\n")
    clamd = shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin")
    process = subprocess.Popen([clamd, "-c", str(conf)], stdout=subprocess.DEVNULL)
    path = str(root / "clamd.sock")
    for _ in range(300):
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.connect(path)
                sock.sendall(b"zPING\0")
                if sock.recv(8).startswith(b"PONG"):
                    return process, f"unix:{path}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("clamd did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        process, address = start_clamd(Path(tmp))
        try:
            for size_mb in SIZES_MB:
                content = b"%PDF-1.4\n" + bytes(range(256)) * int(size_mb * 1024 * 1024 / 256)
                times = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    result = scan_stream(io.BytesIO(content), address=parse_address(address), timeout=60)
                    times.append(time.perf_counter() - started)
                    assert result.state == ScanState.CLEAN, result
                print(f"{size_mb:>5} MB: median {statistics.median(times) * 1000:7.1f} ms, "
                      f"worst {max(times) * 1000:7.1f} ms ({args.repeat} scans)")
        finally:
            process.terminate()
            process.wait(timeout=20)


if __name__ == "__main__":
    main()
