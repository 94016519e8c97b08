"""After the crash: what the database holds, checked against what the clients were told (Django ORM, in-process).

Run once the servers are stopped, with Django set up on the same database as the servers.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = {"reference", "call", "wave", "track", "organisation", "place", "answers", "budget", "attachments",
            "eligibility", "version"}


@dataclass
class Findings:
    versions_found: int = 0
    acked_found: int = 0
    unacked_found: int = 0  # committed, the client never told (it gave up)
    recovered: int = 0  # committed before a kill cut the answer; the retry with the same key was told
    lost: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    bad_fingerprint: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    half_deposits: list[str] = field(default_factory=list)
    audit_chain: str = ""

    @property
    def ok(self) -> bool:
        return not (self.lost or self.incomplete or self.bad_fingerprint or self.duplicates or self.half_deposits
                    or not self.audit_chain.startswith("ok"))


def check_versions(*, keys: dict[str, str], acked: set[str], retried: dict[str, float], wave_slug: str) -> Findings:
    """Every acknowledged key has its version, complete, with the right fingerprint; one version per key."""
    from django.db import connections
    from django.db.models import Count

    from fabriques.dossiers.domain import fingerprint
    from fabriques.dossiers.models import Dossier, DossierVersion
    from fabriques.dossiers.queries import dossier_snapshot

    connections.close_all()  # a fresh connection: read what was committed, nothing cached
    findings = Findings()
    versions = {v.submission_key: v for v in DossierVersion.objects.filter(dossier__wave__slug=wave_slug)
                .select_related("dossier")}
    findings.versions_found = len(versions)
    by_key = DossierVersion.objects.values("submission_key").annotate(n=Count("id")).filter(n__gt=1)
    findings.duplicates += [f"key used by {row['n']} versions" for row in by_key]
    current = {}  # dossier uuid -> its content now (nobody edits during the rush: must equal each snapshot)
    for dossier in Dossier.objects.filter(wave__slug=wave_slug).select_related(
            "wave__call", "track", "organisation__commune", "place_commune"):
        current[str(dossier.uuid)] = dossier_snapshot(dossier)
    for key, version in versions.items():
        if key in acked:
            findings.acked_found += 1
        else:
            findings.unacked_found += 1
        if key in retried and version.deposited_at.timestamp() < retried[key]:
            findings.recovered += 1
        snapshot, ref = version.snapshot, version.dossier.reference
        if version.sha256 != fingerprint(snapshot):
            findings.bad_fingerprint.append(f"{ref} v{version.number}")
        expected = {**current[str(version.dossier.uuid)], "version": version.number}
        if (set(snapshot) != SECTIONS or snapshot != expected or not snapshot["budget"]["lines"]
                or not all(a["text"].strip() for a in snapshot["answers"])):
            findings.incomplete.append(f"{ref} v{version.number}")
    for key in sorted(acked):
        version = versions.get(key)
        if version is None or str(version.dossier.uuid) != keys[key]:
            findings.lost.append(f"dossier {keys[key]}: acknowledged, no version for its key")
    keys_per_dossier: dict[str, int] = {}
    for dossier in keys.values():
        keys_per_dossier[dossier] = keys_per_dossier.get(dossier, 0) + 1
    per_dossier: dict[str, int] = {}
    for version in versions.values():
        uuid = str(version.dossier.uuid)
        per_dossier[uuid] = per_dossier.get(uuid, 0) + 1
    findings.duplicates += [f"dossier {u}: {n} versions for {keys_per_dossier.get(u, 0)} keys"
                            for u, n in sorted(per_dossier.items()) if n > keys_per_dossier.get(u, 0)]
    return findings


def check_half_deposits(findings: Findings, *, wave_slug: str, proof: bool) -> None:
    """A deposit is the state, the version, the date, its audit entries and its proof, all or nothing."""
    from fabriques.audit.models import AuditEntry
    from fabriques.dossiers.models import Dossier, DossierVersion

    versions: dict[int, list] = {}
    for v in DossierVersion.objects.filter(dossier__wave__slug=wave_slug).order_by("dossier_id", "number"):
        versions.setdefault(v.dossier_id, []).append(v)
    ids = list(Dossier.objects.filter(wave__slug=wave_slug).values_list("pk", flat=True))
    entries = AuditEntry.objects.filter(dossier_id__in=ids, action__in=[
        "dossier.transition", "dossier.redeposit", "dossier.version"]).values_list("dossier_id", "action", "object_id")
    audited: dict[tuple[int, str], list[str]] = {}
    for dossier_id, action, object_id in entries:
        audited.setdefault((dossier_id, action), []).append(object_id)
    half = findings.half_deposits
    for d in Dossier.objects.filter(pk__in=ids).order_by("pk"):
        mine = versions.get(d.pk, [])
        if d.state == "deposited" and not mine:
            half.append(f"{d.reference}: deposited without a version")
        if d.state == "draft" and mine:
            half.append(f"{d.reference}: {len(mine)} version(s) but still a draft")
        if not mine:
            continue
        if [v.number for v in mine] != list(range(1, len(mine) + 1)):
            half.append(f"{d.reference}: version numbers {[v.number for v in mine]}")
        if d.last_deposited_at != mine[-1].deposited_at:
            half.append(f"{d.reference}: last deposit date is not its last version's")
        if sorted(audited.get((d.pk, "dossier.version"), [])) != sorted(str(v.pk) for v in mine):
            half.append(f"{d.reference}: versions and their audit entries differ")
        if len(audited.get((d.pk, "dossier.transition"), [])) != 1:
            half.append(f"{d.reference}: {len(audited.get((d.pk, 'dossier.transition'), []))} state transitions")
        if len(audited.get((d.pk, "dossier.redeposit"), [])) != len(mine) - 1:
            half.append(f"{d.reference}: redeposit entries do not match its versions")
        if proof and any(not (v.proof_queued or v.proof_sent_at) for v in mine):
            half.append(f"{d.reference}: a version without its proof of deposit queued")


def check_audit_chain(findings: Findings, env: dict) -> None:
    """`python -m fabriques audit-verify` in a process of its own, on the servers' settings."""
    done = subprocess.run([sys.executable, "-m", "fabriques", "audit-verify"], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False)
    message = (done.stdout + done.stderr).strip().splitlines()
    findings.audit_chain = ("ok: " if done.returncode == 0 else "BROKEN: ") + (message[-1] if message else "")
