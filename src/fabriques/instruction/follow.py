"""Agents' follow lists: « Suivre » a dossier, « Attribuer à un instructeur », and the daily digest of what changed.

The digest reads the audit log (the one record of every change) for the followed dossiers: state changes,
messages, complements received, evaluations submitted, assignments. It goes through the e-mail outbox.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fabriques.accounts.capabilities import roles_with
from fabriques.audit.domain import audit_record
from fabriques.audit.models import AuditEntry
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.models import DossierFollow, FollowDigest, Instruction
from fabriques.instruction.rules import dossiers_for_instruction
from fabriques.mail.domain import Email, email_queue, emails_queue

DIGEST_EVERY_HOURS = 24
# The audit actions a follower is told about (never the applicant's advisers': `advice.*` stays out).
DIGEST_ACTIONS = ("dossier.transition", "message.posted", "dossier.version", "evaluation.submit",
                  "instruction.assigned")
STATE_LABELS = dict(DossierState.choices)


def follow_set(*, dossier: Dossier, user, follow: bool) -> bool:
    """The agent follows (or stops following) a dossier they may see; returns whether they follow it now."""
    if not dossiers_for_instruction(user).filter(pk=dossier.pk).exists():
        raise InstructionError("Vous ne pouvez pas suivre ce dossier.")
    if follow:
        DossierFollow.objects.get_or_create(user=user, dossier=dossier, defaults={"created_at": timezone.now()})
    else:
        DossierFollow.objects.filter(user=user, dossier=dossier).delete()
    return follow


def assignable_instructors(dossier: Dossier):
    """The instructors a dossier may be given to: members of its instruction group with the instructor role."""
    instruction = getattr(dossier, "instruction", None)
    if instruction is None:
        return get_user_model().objects.none()
    return instruction.group.members.filter(
        is_active=True, call_roles__call_id=dossier.wave.call_id,
        call_roles__role__in=roles_with("instruction.group_member"),
    ).distinct().order_by("email")


def instruction_assign(*, dossier: Dossier, instructor, by) -> Instruction:
    """Give the dossier to one instructor of its group (None: to nobody); audited, the instructor follows it and is
    told by e-mail through the outbox."""
    instruction = Instruction.objects.filter(dossier=dossier).select_related("assigned_to").first()
    if instruction is None:
        raise InstructionError("Le dossier n’est pas encore orienté vers un groupe d’instruction.")
    if instructor is not None and not assignable_instructors(dossier).filter(pk=instructor.pk).exists():
        raise InstructionError("Cette personne n’est pas instructrice dans le groupe du dossier.")
    before = instruction.assigned_to.email if instruction.assigned_to else ""
    after = instructor.email if instructor else ""
    if before == after:
        return instruction
    with transaction.atomic():
        instruction.assigned_to = instructor
        instruction.save(update_fields=["assigned_to"])
        audit_record(action="instruction.assigned", obj=instruction, by=by, before={"instructeur": before},
                     after={"instructeur": after}, dossier_id=dossier.pk, call_id=dossier.wave.call_id)
        if instructor is not None:
            DossierFollow.objects.get_or_create(user=instructor, dossier=dossier,
                                                defaults={"created_at": timezone.now()})
            if instructor.pk != getattr(by, "pk", None):
                email_queue(
                    to=[instructor.email],
                    subject=f"[Fabriques] Le dossier {dossier.reference} vous est attribué",
                    body=(f"Bonjour,\n\n{by.email} vous a attribué l’instruction du dossier {dossier.reference} "
                          f"« {dossier.place_name} ». Vous le suivez désormais : ses changements figureront dans "
                          f"votre récapitulatif quotidien.\n\n{_dossier_url(dossier)}\n\nL’équipe Fabriques"),
                )
    return instruction


def _dossier_url(dossier) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("instruction:dossier", args=[dossier.uuid])


def _transition_line(entry: AuditEntry) -> str:
    before = STATE_LABELS.get(entry.before.get("state"), entry.before.get("state", ""))
    after = STATE_LABELS.get(entry.after.get("state"), entry.after.get("state", ""))
    if entry.before.get("state") == DossierState.COMPLEMENTS_REQUESTED:
        return f"compléments reçus ({entry.actor_label}) : {before} → {after}"
    return f"état : {before} → {after} ({entry.actor_label})"


DESCRIBE = {
    "dossier.transition": _transition_line,
    "message.posted": lambda e: f"note interne de {e.actor_label}" if e.after.get("internal")
    else f"nouveau message de {e.actor_label}",
    "dossier.version": lambda e: f"version {e.after.get('number')} déposée ({e.reason or e.actor_label})",
    "evaluation.submit": lambda e: "une évaluation a été soumise",
    "instruction.assigned": lambda e: f"attribué à {e.after.get('instructeur') or 'personne'} ({e.actor_label})",
}


def _describe(entry: AuditEntry) -> str | None:
    """One line of the digest, in French; None for an entry a follower need not read."""
    describe = DESCRIBE.get(entry.action)
    return describe(entry) if describe else None


def follow_digests_send(*, now=None, force: bool = False) -> int:
    """Worker: each agent not sent a digest for a day (any, with `force`) whose followed dossiers changed since (by
    someone else) gets one e-mail listing the changes per dossier; returns the number of digests queued."""
    now = now or timezone.now()
    follows = DossierFollow.objects.filter(user__is_active=True)
    if not force:
        recent = FollowDigest.objects.filter(last_sent_at__gt=now - dt.timedelta(hours=DIGEST_EVERY_HOURS))
        follows = follows.exclude(user_id__in=recent.values("user_id"))
    follows = list(follows.select_related("user", "dossier").order_by("user_id", "dossier__reference"))
    if not follows:
        return 0
    last = dict(FollowDigest.objects.filter(user_id__in={f.user_id for f in follows})
                .values_list("user_id", "last_sent_at"))
    oldest = min(max(f.created_at, last.get(f.user_id, f.created_at)) for f in follows)
    entries = defaultdict(list)
    for entry in (AuditEntry.objects.filter(dossier_id__in={f.dossier_id for f in follows}, action__in=DIGEST_ACTIONS,
                                            at__gt=oldest, at__lte=now).order_by("id")):
        entries[entry.dossier_id].append(entry)
    by_user = defaultdict(list)
    for follow in follows:
        by_user[follow.user].append(follow)
    emails, sent = [], []
    for user, theirs in by_user.items():
        visible = set(dossiers_for_instruction(user).filter(pk__in=[f.dossier_id for f in theirs])
                      .values_list("pk", flat=True))
        blocks = []
        for follow in theirs:
            since = max(follow.created_at, last.get(user.pk, follow.created_at))
            lines = [line for e in entries.get(follow.dossier_id, ())
                     if e.at > since and e.actor_id != user.pk and (line := _describe(e))]
            if lines and follow.dossier_id in visible:
                dossier = follow.dossier
                blocks.append(f"• {dossier.reference} « {dossier.place_name} »\n"
                              + "\n".join(f"  - {line}" for line in lines) + f"\n  {_dossier_url(dossier)}")
        if blocks:
            plural = "s" if len(blocks) > 1 else ""
            emails.append(Email(
                to=[user.email], subject=f"[Fabriques] {len(blocks)} dossier{plural} suivi{plural} ont changé"
                if plural else "[Fabriques] Un dossier suivi a changé",
                body=("Bonjour,\n\nVoici ce qui a changé depuis votre dernier récapitulatif sur les dossiers que vous "
                      "suivez ou qui vous sont attribués :\n\n" + "\n\n".join(blocks)
                      + "\n\nPour ne plus suivre un dossier : bouton « Ne plus suivre » sur sa page.\n\n"
                        "L’équipe Fabriques"),
            ))
            sent.append(user.pk)
    with transaction.atomic():  # every agent read is marked, with or without news: they are read once a day
        emails_queue(emails=emails)
        FollowDigest.objects.filter(user_id__in=last).update(last_sent_at=now)
        FollowDigest.objects.bulk_create([FollowDigest(user_id=u.pk, last_sent_at=now)
                                          for u in by_user if u.pk not in last])
    return len(sent)
