"""Signed deposit keys for the "click" load scenario: the applicants already have their deposit page open.

Writes {dossier uuid: [keys…]} for the first `--applicants` applicants of sessions.json, `--per-applicant`
keys each, signed exactly as the deposit page signs them (`deposit_key_issue`, the server's secret key):
the load run then measures the deposit POST alone, as at the closing minute when everyone clicks.
Run with the server's environment (load.py does it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--per-applicant", type=int, default=100)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabriques.settings")
    import django

    django.setup()
    from fabriques.dossiers.deposit import deposit_key_issue
    from fabriques.dossiers.models import Dossier

    applicants = json.loads(args.sessions.read_text())["applicants"][:args.applicants]
    dossiers = Dossier.objects.in_bulk([a["dossier"] for a in applicants], field_name="uuid")
    keys = {str(uuid): [deposit_key_issue(dossier=d) for _ in range(args.per_applicant)]
            for uuid, d in dossiers.items()}
    args.out.write_text(json.dumps(keys))
    print(f"{sum(map(len, keys.values())):,} keys for {len(keys)} dossiers → {args.out}")


if __name__ == "__main__":
    main()
