"""Personal data: what a person can download, erase, and how untouched drafts are purged.

- `personal_data_export(user)` gathers everything the platform holds about a person (JSON-ready).
- `account_erase(user)` deletes the person's drafts and anonymises the account; deposited dossiers
  are administrative records of a public call and stay (their owner becomes "compte supprimé").
- `drafts_purge(now)` sends a notice for drafts untouched for (retention − notice) days and deletes
  drafts still untouched at the retention limit (`FABRIQUES_DRAFT_RETENTION_DAYS`, default 365;
  `FABRIQUES_DRAFT_PURGE_NOTICE_DAYS`, default 30).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from fabriques.audit.domain import audit_record


def retention_days() -> int:
    return int(getattr(settings, "FABRIQUES_DRAFT_RETENTION_DAYS", 365))


def notice_days() -> int:
    return int(getattr(settings, "FABRIQUES_DRAFT_PURGE_NOTICE_DAYS", 30))


def personal_data_export(user) -> dict:
    """Everything held about the person: account, roles, organisations, dossiers (content), messages."""
    from fabriques.dossiers.queries import dossier_snapshot
    from fabriques.dossiers.rules import dossiers_visible_to
    from fabriques.instruction.models import Message

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
    }


def account_erase(*, user) -> None:
    """Delete the person's drafts and anonymise the account; deposited dossiers stay, owned by a blank account."""
    from fabriques.dossiers.enums import DossierState
    from fabriques.dossiers.models import Dossier

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
        user.memberships.all().delete()
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
    """Notice, then delete, drafts nobody touched for the retention period (never deposited dossiers)."""
    from fabriques.dossiers.enums import DossierState
    from fabriques.dossiers.models import Dossier

    now = now or timezone.now()
    limit = now - dt.timedelta(days=retention_days())
    warn = now - dt.timedelta(days=retention_days() - notice_days())
    drafts = Dossier.objects.filter(state=DossierState.DRAFT)
    not_noticed_since_edit = Q(purge_notice_at__isnull=True) | Q(purge_notice_at__lt=F("updated_at"))
    to_notice = list(drafts.filter(not_noticed_since_edit, updated_at__lt=warn).select_related("owner"))
    for draft in to_notice:
        send_mail(
            subject=f"[Fabriques] Votre brouillon {draft.reference} sera supprimé",
            message=(f"Bonjour,\n\nLe brouillon {draft.reference} n’a pas été modifié depuis longtemps. Sans "
                     f"modification de votre part, il sera supprimé dans {notice_days()} jours.\n\n"
                     "L’équipe Fabriques"),
            from_email=None, recipient_list=[draft.owner.email],
        )
    Dossier.objects.filter(pk__in=[d.pk for d in to_notice]).update(purge_notice_at=now)
    # Deleted only if a notice was sent long enough ago and nothing changed since.
    doomed = list(drafts.filter(
        updated_at__lt=limit, purge_notice_at__gte=F("updated_at"),
        purge_notice_at__lte=now - dt.timedelta(days=notice_days()),
    ))
    with transaction.atomic():
        for draft in doomed:
            audit_record(action="dossier.purged", obj=draft, by=None, reason="brouillon inactif",
                         dossier_id=draft.pk, call_id=draft.wave.call_id)
            _delete_draft(draft)
    return PurgeReport(noticed=len(to_notice), deleted=len(doomed))
