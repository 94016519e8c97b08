"""An applicant downloads and erases their data; untouched drafts are purged after a notice."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone

from fabriques.audit.domain import audit_verify
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.personal.personal_data import drafts_purge
from tests.accounts.conftest import territory_dossier

pytestmark = pytest.mark.django_db


def _draft(open_wave, owner, commune, deposit=False):
    return territory_dossier(open_wave, owner, commune, deposit=deposit)


def test_an_applicant_downloads_everything_held_about_them(client, open_wave, make_user, commune):
    owner = make_user("lea@exemple.fr")
    dossier = _draft(open_wave, owner, commune)
    client.force_login(owner)

    response = client.get("/espace/mes-donnees/")

    data = json.loads(response.content)
    assert response["Content-Disposition"] == 'attachment; filename="mes-donnees-fabriques.json"'
    assert data["account"]["email"] == "lea@exemple.fr"
    assert [d["reference"] for d in data["dossiers"]] == [dossier.reference]
    assert data["dossiers"][0]["content"]["place"]["name"] == "Le Hangar"
    assert data["organisations"][0]["name"] == "Association Le Hangar"


def test_erasing_an_account_deletes_drafts_keeps_deposits_and_anonymises(client, open_wave, make_user, commune):
    owner = make_user("lea@exemple.fr")
    draft = _draft(open_wave, owner, commune)
    deposited = _draft(open_wave, owner, commune, deposit=True)
    client.force_login(owner)

    refused = client.post("/espace/supprimer-mon-compte/", {"confirm": "autre@exemple.fr"})
    assert refused.status_code == 400
    assert Dossier.objects.filter(pk=draft.pk).exists()

    response = client.post("/espace/supprimer-mon-compte/", {"confirm": "LEA@exemple.fr"})

    assert response.status_code == 302
    owner.refresh_from_db()
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert Dossier.objects.get(pk=deposited.pk).state == DossierState.DEPOSITED
    assert owner.email.startswith("compte-supprime-")
    assert owner.is_active is False
    assert not owner.has_usable_password()
    assert audit_verify().ok is True
    assert client.get("/espace/").status_code == 302


def test_untouched_drafts_get_a_notice_then_are_purged_and_deposits_never(open_wave, make_user, commune,
                                                                         django_capture_on_commit_callbacks):
    open_wave.call.__class__.objects.filter(pk=open_wave.call_id).update(draft_retention_days=100,
                                                                         draft_notice_days=10)
    owner = make_user("lea@exemple.fr")
    old_draft = _draft(open_wave, owner, commune)
    fresh_draft = _draft(open_wave, owner, commune)
    old_deposit = _draft(open_wave, owner, commune, deposit=True)
    now = timezone.now()
    Dossier.objects.filter(pk__in=[old_draft.pk, old_deposit.pk]).update(updated_at=now - dt.timedelta(days=95))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # the notices go out after their commit
        first = drafts_purge(now=now)
        second = drafts_purge(now=now + dt.timedelta(days=5))
        third = drafts_purge(now=now + dt.timedelta(days=11))

    assert (first.noticed, first.deleted) == (1, 0)
    assert [m.to for m in mail.outbox] == [["lea@exemple.fr"]]
    assert "sera supprimé dans 10 jours" in mail.outbox[0].body
    assert (second.noticed, second.deleted) == (0, 0)
    assert (third.noticed, third.deleted) == (0, 1)
    assert not Dossier.objects.filter(pk=old_draft.pk).exists()
    assert Dossier.objects.filter(pk__in=[fresh_draft.pk, old_deposit.pk]).count() == 2


def test_a_draft_edited_after_the_notice_is_kept(open_wave, make_user, commune):
    open_wave.call.__class__.objects.filter(pk=open_wave.call_id).update(draft_retention_days=100,
                                                                         draft_notice_days=10)
    draft = _draft(open_wave, make_user("lea@exemple.fr"), commune)
    now = timezone.now()
    Dossier.objects.filter(pk=draft.pk).update(updated_at=now - dt.timedelta(days=95))
    drafts_purge(now=now)
    Dossier.objects.filter(pk=draft.pk).update(updated_at=now + dt.timedelta(days=1))

    report = drafts_purge(now=now + dt.timedelta(days=11))

    assert report.deleted == 0
    assert Dossier.objects.filter(pk=draft.pk).exists()
