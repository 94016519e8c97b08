"""Personal data: what a person can download, erase, and how untouched drafts are purged.

In the personal app, above every app whose rows it reads or erases (dossiers, instruction, evaluation, advice, faq).

- `personal_data_export(user)` gathers everything the platform holds about a person (JSON-ready).
- `account_erase(user)` deletes the person's drafts and anonymises the account; deposited dossiers
  are administrative records of a public call and stay (their owner becomes "compte supprimé").
- `drafts_purge(now)` sends a notice for drafts untouched for (retention − notice) days and deletes
  drafts still untouched at the retention limit.
- `dossiers_erase_expired(now)` erases the content of decided dossiers at the end of their retention
  period (answers, files, deposited versions' content, messages, comments), keeping the statistics.
Each call sets its periods (`[retention]` of its definition, `calls.retention.retention_for`); a period the call leaves
out falls back to the platform's setting: `FABRIQUES_DRAFT_RETENTION_DAYS` (365),
`FABRIQUES_DRAFT_PURGE_NOTICE_DAYS` (30), `FABRIQUES_UNFUNDED_RETENTION_YEARS` (5),
`FABRIQUES_FUNDED_RETENTION_YEARS` (10).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from fabriques.advice.domain import dossier_advice_erase
from fabriques.advice.models import Comment
from fabriques.audit.domain import audit_record
from fabriques.calls.models import Call
from fabriques.calls.retention import Retention, retention_for
from fabriques.dossiers.enums import FUNDED_STATES, DossierState
from fabriques.dossiers.models import Dossier
from fabriques.dossiers.queries import dossier_snapshot
from fabriques.dossiers.rules import dossiers_visible_to
from fabriques.evaluation.models import Evaluation, Score
from fabriques.faq.models import Question
from fabriques.instruction.models import Message
from fabriques.mail.domain import Email, emails_queue


def personal_data_export(user) -> dict:
    """Everything held about the person: account, roles, organisations, dossiers (content), messages."""
    dossiers = dossiers_visible_to(user).select_related(
        "wave__call", "track", "organisation__commune", "place_commune", "owner"
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {"email": user.email, "first_name": user.first_name, "last_name": user.last_name,
                    "date_joined": user.date_joined.isoformat(),
                    "last_login": user.last_login.isoformat() if user.last_login else None},
        "roles": [{"call": r.call.slug, "role": r.role} for r in user.call_roles.select_related("call")],
        "organisations": [
            {"name": m.organisation.name, "siret": m.organisation.siret, "role": m.role}
            for m in user.memberships.select_related("organisation")
        ],
        "dossiers": [
            {"reference": d.reference, "state": d.state, "content": dossier_snapshot(d)} for d in dossiers
        ],
        "messages": [
            {"dossier": m.dossier.reference, "at": m.created_at.isoformat(), "body": m.body}
            for m in Message.objects.filter(author=user).select_related("dossier")
        ],
        **_support_data(user),
    }


def _support_data(user) -> dict:
    """Comments written as an adviser or applicant (advice) and questions asked (faq)."""
    return {
        "advice_comments": [
            {"dossier": c.thread.dossier.reference, "criterion": c.thread.criterion.code,
             "at": c.created_at.isoformat(), "body": c.body, "suggestion": c.suggestion}
            for c in Comment.objects.filter(author=user).select_related("thread__dossier", "thread__criterion")
        ],
        "questions": [
            {"call": q.call.slug, "at": q.asked_at.isoformat(), "text": q.text, "answer": q.answer}
            for q in Question.objects.filter(asked_by=user).select_related("call")
        ],
    }


def account_erase(*, user) -> None:
    """Delete the person's drafts and anonymise the account; deposited dossiers stay, owned by a blank account."""
    with transaction.atomic():
        drafts = list(Dossier.objects.filter(owner=user, state=DossierState.DRAFT))
        for draft in drafts:
            audit_record(action="dossier.erased", obj=draft, by=user, reason="suppression du compte",
                         dossier_id=draft.pk, call_id=draft.wave.call_id)
            _delete_draft(draft)
        audit_record(action="account.erased", obj=user, by=user, after={"drafts_deleted": len(drafts)})
        user.email = f"compte-supprime-{user.pk}-{secrets.token_hex(4)}@invalid"
        user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        user.emailaddress_set.all().delete()
        user.socialaccount_set.all().delete()  # ProConnect links and the claims they keep (names, e-mail)
        user.memberships.all().delete()
        user.network_memberships.all().delete()
        user.call_roles.all().delete()


def _delete_draft(draft) -> None:
    for attachment in draft.attachments.all():
        attachment.file.delete(save=False)
    draft.delete()


@dataclass(frozen=True)
class PurgeReport:
    noticed: int
    deleted: int


def drafts_purge(*, now: dt.datetime | None = None) -> PurgeReport:
    """Notice, then delete, drafts nobody touched for their call's retention period (never deposited dossiers)."""
    now = now or timezone.now()
    noticed = deleted = 0
    for call in Call.objects.order_by("pk"):
        report = _call_drafts_purge(call, retention_for(call), now)
        noticed, deleted = noticed + report.noticed, deleted + report.deleted
    return PurgeReport(noticed=noticed, deleted=deleted)


def _call_drafts_purge(call, retention: Retention, now: dt.datetime) -> PurgeReport:
    limit = now - dt.timedelta(days=retention.draft_days)
    warn = now - dt.timedelta(days=retention.draft_days - retention.notice_days)
    drafts = Dossier.objects.filter(state=DossierState.DRAFT, wave__call=call)
    not_noticed_since_edit = Q(purge_notice_at__isnull=True) | Q(purge_notice_at__lt=F("updated_at"))
    to_notice = list(drafts.filter(not_noticed_since_edit, updated_at__lt=warn).select_related("owner"))
    with transaction.atomic():  # the notices are queued with the date that says they were sent
        emails_queue(emails=[Email(
            subject=f"[Fabriques] Votre brouillon {draft.reference} sera supprimé",
            body=(f"Bonjour,\n\nLe brouillon {draft.reference} n’a pas été modifié depuis longtemps. Sans "
                  f"modification de votre part, il sera supprimé dans {retention.notice_days} jours.\n\n"
                  "L’équipe Fabriques"),
            to=[draft.owner.email],
        ) for draft in to_notice])
        Dossier.objects.filter(pk__in=[d.pk for d in to_notice]).update(purge_notice_at=now)
    # Deleted only if a notice was sent long enough ago and nothing changed since.
    doomed = list(drafts.filter(
        updated_at__lt=limit, purge_notice_at__gte=F("updated_at"),
        purge_notice_at__lte=now - dt.timedelta(days=retention.notice_days),
    ))
    with transaction.atomic():
        for draft in doomed:
            audit_record(action="dossier.purged", obj=draft, by=None, reason="brouillon inactif",
                         dossier_id=draft.pk, call_id=call.pk)
            _delete_draft(draft)
    return PurgeReport(noticed=len(to_notice), deleted=len(doomed))


def dossiers_erase_expired(*, now: dt.datetime | None = None) -> int:
    """Erase the content of decided dossiers past their call's retention period; keep what statistics need."""
    now = now or timezone.now()
    unfunded = [DossierState.INADMISSIBLE, DossierState.NOT_RETAINED, DossierState.WITHDRAWN, DossierState.CLOSED]
    erased = 0
    for call in Call.objects.order_by("pk"):
        retention = retention_for(call)
        expired = Dossier.objects.filter(wave__call=call, content_erased_at__isnull=True).filter(
            Q(state__in=unfunded, state_changed_at__lt=_years_before(now, retention.unfunded_years))
            | Q(state__in=FUNDED_STATES, state_changed_at__lt=_years_before(now, retention.funded_years))
        )
        for dossier in expired.order_by("pk"):
            with transaction.atomic():
                _erase_content(dossier, now)
                audit_record(action="dossier.content_erased", obj=dossier, by=None, after={"state": dossier.state},
                             reason="fin de la durée de conservation", dossier_id=dossier.pk, call_id=call.pk)
            erased += 1
    return erased


def _years_before(now: dt.datetime, years: int) -> dt.datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _erase_content(dossier, now: dt.datetime) -> None:
    """Answers, files, versions' content, messages, comments and addresses go; figures, scores, decisions stay."""
    for attachment in dossier.attachments.all():
        attachment.file.delete(save=False)
    dossier.attachments.all().delete()
    dossier.answers.all().delete()
    dossier.cowriters.all().delete()
    dossier.budget_lines.update(label="", cofunder="")
    for version in dossier.versions.all():
        version.snapshot = {"reference": dossier.reference, "version": version.number, "erased": True}
        version.save(update_fields=["snapshot"])
    for message in Message.objects.filter(dossier=dossier).exclude(attachment=""):
        message.attachment.delete(save=False)
    Message.objects.filter(dossier=dossier).update(body="", attachment="")
    Score.objects.filter(evaluation__assignment__dossier=dossier).update(comment="")
    Evaluation.objects.filter(assignment__dossier=dossier).update(summary="")
    dossier_advice_erase(dossier=dossier)  # advisers' comments follow the call's retention rules
    Dossier.objects.filter(pk=dossier.pk).update(place_address="", content_erased_at=now)
