"""A clone alone runs and tests: no tracked file may depend on a folder beside the clone or on one machine's paths."""

import hashlib
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Built from pieces so that this file does not match itself.
WORKBENCH = "../" + "shared"
MACHINE_PATHS = re.compile(
    "|".join(re.escape(p) for p in ("/" + "work/", "/" + "home/", "/" + "Users/", "/" + "root/"))
)


def tracked_text_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30,  # noqa: S607
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: nothing tracked to inspect")
    files = []
    for name in out.decode().split("\0"):
        path = ROOT / name
        if name and path.is_file() and not name.endswith((".gz", ".png", ".pdf", ".woff2", ".ico", ".jpg", ".svg")):
            files.append(path)
    return files


def test_no_tracked_file_names_the_workbench_or_a_machine_path():
    offenders = []
    for path in tracked_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if WORKBENCH in line or MACHINE_PATHS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert offenders == []


def test_the_reference_data_ships_with_its_provenance():
    reference = ROOT / "src" / "fabriques" / "territory" / "reference"
    files = sorted(p for p in reference.rglob("*.gz"))
    assert [p.name for p in files] != []
    for data in files:
        provenance = (data.parent / "PROVENANCE.md").read_text(encoding="utf-8")
        assert data.name in provenance, f"{data.name} has no provenance entry"
        digest = hashlib.sha256(data.read_bytes()).hexdigest()
        assert digest in provenance, f"{data.name}: its SHA-256 {digest} is not the one written in PROVENANCE.md"
        assert "Licence" in provenance or "MIT" in provenance
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    for data in files:
        assert data.name in notice, f"{data.name} lacks its attribution in NOTICE"
