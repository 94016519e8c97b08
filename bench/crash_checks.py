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
    """A deposit is the state, the version, the date, the routing, its audit entries and its proof: all or nothing."""
    from fabriques.audit.models import AuditEntry
    from fabriques.dossiers.deposit import PROOF_RENDERER
    from fabriques.dossiers.models import Dossier, DossierVersion
    from fabriques.instruction.models import Instruction
    from fabriques.mail.models import OutgoingAttachment

    versions: dict[int, list] = {}
    for v in DossierVersion.objects.filter(dossier__wave__slug=wave_slug).order_by("dossier_id", "number"):
        versions.setdefault(v.dossier_id, []).append(v)
    # The proof's e-mail is an outbox row whose attachment the proof renderer draws from the version's id.
    in_outbox = set(OutgoingAttachment.objects.filter(renderer=PROOF_RENDERER).values_list("renderer_key", flat=True))
    for mine in versions.values():
        for v in mine:
            v.proof_in_outbox = str(v.pk) in in_outbox
    ids = list(Dossier.objects.filter(wave__slug=wave_slug).values_list("pk", flat=True))
    entries = AuditEntry.objects.filter(dossier_id__in=ids, action__in=[
        "dossier.transition", "dossier.redeposit", "dossier.version", "dossier.routed",
    ]).values_list("dossier_id", "action", "object_id")
    routed = set(Instruction.objects.filter(dossier_id__in=ids).values_list("dossier_id", flat=True))
    audited: dict[tuple[int, str], list[str]] = {}
    for dossier_id, action, object_id in entries:
        audited.setdefault((dossier_id, action), []).append(object_id)
    for d in Dossier.objects.filter(pk__in=ids).order_by("pk"):
        findings.half_deposits += [f"{d.reference}: {problem}" for problem in _deposit_problems(
            d, versions.get(d.pk, []), lambda action, pk=d.pk: audited.get((pk, action), []), d.pk in routed, proof)]


def _deposit_problems(d, mine: list, audited, routed: bool, proof: bool) -> list[str]:
    """What is missing from one dossier's deposits (`audited(action)`: the object ids of its audit entries)."""
    if not mine:
        return ["deposited without a version"] if d.state == "deposited" else []
    problems = []
    if d.state == "draft":
        problems.append(f"{len(mine)} version(s) but still a draft")
    if [v.number for v in mine] != list(range(1, len(mine) + 1)):
        problems.append(f"version numbers {[v.number for v in mine]}")
    if d.last_deposited_at != mine[-1].deposited_at:
        problems.append("last deposit date is not its last version's")
    if sorted(audited("dossier.version")) != sorted(str(v.pk) for v in mine):
        problems.append("versions and their audit entries differ")
    if len(audited("dossier.transition")) != 1:
        problems.append(f"{len(audited('dossier.transition'))} state transitions")
    if not routed or len(audited("dossier.routed")) != 1:
        problems.append("deposited but not routed to an instruction group once")
    if len(audited("dossier.redeposit")) != len(mine) - 1:
        problems.append("redeposit entries do not match its versions")
    if proof and any(not (v.proof_in_outbox or v.proof_queued or v.proof_sent_at) for v in mine):
        problems.append("a version without its proof of deposit queued")
    return problems


def check_audit_chain(findings: Findings, env: dict) -> None:
    """`python -m fabriques audit-verify` in a process of its own, on the servers' settings."""
    done = subprocess.run([sys.executable, "-m", "fabriques", "audit-verify"], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False)
    message = (done.stdout + done.stderr).strip().splitlines()
    findings.audit_chain = ("ok: " if done.returncode == 0 else "BROKEN: ") + (message[-1] if message else "")
