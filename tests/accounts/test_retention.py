"""Each call sets how long it keeps personal data: drafts are purged and decided dossiers erased on its clock."""

import datetime as dt
import os

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from fabriques.audit.domain import audit_verify
from fabriques.audit.models import AuditEntry
from fabriques.calls.definition import DefinitionError
from fabriques.calls.domain import DEFINITIONS_DIR, call_load
from fabriques.calls.models import Call
from fabriques.calls.retention import retention_for
from fabriques.demo.domain import demo_open_wave
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Answer, Dossier, DossierAttachment
from fabriques.evaluation.models import Assignment, Evaluation, Score
from fabriques.instruction.models import Message
from fabriques.personal.personal_data import dossiers_erase_expired, drafts_purge
from tests.accounts.conftest import territory_dossier

pytestmark = pytest.mark.django_db
TOML = (DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").read_text()


def _dossier(wave, owner, commune, deposit=True):
    return territory_dossier(wave, owner, commune, deposit=deposit)


def _decided(dossier, state, years_ago):
    when = timezone.now() - dt.timedelta(days=round(365.25 * years_ago))
    Dossier.objects.filter(pk=dossier.pk).update(state=state, state_changed_at=when)
    return Dossier.objects.get(pk=dossier.pk)


def test_the_2019_call_states_its_retention_periods(call):
    assert retention_for(call) == retention_for(Call.objects.get(pk=call.pk))
    r = retention_for(call)
    assert (r.draft_days, r.notice_days, r.unfunded_years, r.funded_years) == (365, 30, 5, 10)


def test_a_period_the_call_leaves_out_falls_back_to_the_platform_setting(call, settings):
    settings.FABRIQUES_DRAFT_RETENTION_DAYS = 200
    settings.FABRIQUES_UNFUNDED_RETENTION_YEARS = 3
    text = TOML.replace("draft_days = 365\n", "").replace("unfunded_years = 5\n", "")
    reloaded = call_load(text=text, source="ami.toml").call
    r = retention_for(reloaded)
    assert (r.draft_days, r.notice_days, r.unfunded_years, r.funded_years) == (200, 30, 3, 10)


def test_a_notice_longer_than_the_retention_is_refused_with_its_path(call):
    text = TOML.replace("draft_notice_days = 30", "draft_notice_days = 400")
    with pytest.raises(DefinitionError) as refused:
        call_load(text=text, source="ami.toml")
    assert "retention" in str(refused.value)
    assert Call.objects.get(pk=call.pk).draft_notice_days == 30


def test_drafts_are_purged_on_their_own_calls_clock(open_wave, make_user, commune, django_capture_on_commit_callbacks):
    Call.objects.filter(pk=open_wave.call_id).update(draft_retention_days=100, draft_notice_days=10)
    other = call_load(text=TOML.replace('slug = "ami-tiers-lieux-2019"', 'slug = "ami-bis"', 1), source="bis.toml").call
    other_wave = demo_open_wave(call=other)
    owner = make_user("lea@exemple.fr")
    short = _dossier(open_wave, owner, commune, deposit=False)
    long = _dossier(other_wave, owner, commune, deposit=False)
    now = timezone.now()
    Dossier.objects.filter(pk__in=[short.pk, long.pk]).update(updated_at=now - dt.timedelta(days=95))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # the notices go out after their commit
        noticed = drafts_purge(now=now)
        purged = drafts_purge(now=now + dt.timedelta(days=11))

    assert (noticed.noticed, purged.deleted) == (1, 1)
    assert "sera supprimé dans 10 jours" in mail.outbox[0].body
    assert not Dossier.objects.filter(pk=short.pk).exists()
    assert Dossier.objects.filter(pk=long.pk).exists()  # 365 days on the other call


def test_decided_dossiers_are_erased_when_their_period_ends_and_figures_stay(open_wave, make_user, commune, media_root):
    owner, evaluator = make_user("lea@exemple.fr"), make_user("eva@exemple.fr")
    old_refusal = _decided(_dossier(open_wave, owner, commune), DossierState.NOT_RETAINED, 6)
    recent_refusal = _decided(_dossier(open_wave, owner, commune), DossierState.NOT_RETAINED, 4)
    laureate = _decided(_dossier(open_wave, owner, commune), DossierState.LAUREATE, 6)
    old_laureate = _decided(_dossier(open_wave, owner, commune), DossierState.LAUREATE, 11)
    DossierAttachment.objects.filter(dossier=old_refusal).update(file="")
    attachment = old_refusal.attachments.create(
        required=open_wave.call.attachments.first(), file=ContentFile(b"%PDF-1.4 statuts", name="statuts.pdf"),
        original_name="statuts.pdf", size=16, sha256="0" * 64, detected_type="pdf", uploaded_by=owner)
    stored = attachment.file.path
    Message.objects.create(dossier=old_refusal, author=owner, created_at=timezone.now(), body="Mon numéro : 06…")
    assignment = Assignment.objects.create(dossier=old_refusal, evaluator=evaluator, method="manual",
                                           assigned_at=timezone.now())
    evaluation = Evaluation.objects.create(assignment=assignment, summary="Projet porté par Léa.")
    Score.objects.create(evaluation=evaluation, criterion=open_wave.call.criteria.first(), value=3, comment="Léa…")
    amount = old_refusal.amount_requested_eur

    assert dossiers_erase_expired() == 2
    assert dossiers_erase_expired() == 0  # once

    erased = Dossier.objects.get(pk=old_refusal.pk)
    assert erased.content_erased_at is not None
    assert (erased.state, erased.amount_requested_eur, erased.place_name) == (DossierState.NOT_RETAINED, amount,
                                                                               "Le Hangar")
    assert erased.place_address == ""
    assert not Answer.objects.filter(dossier=erased).exists()
    assert not DossierAttachment.objects.filter(dossier=erased).exists()
    assert not os.path.exists(stored)
    assert all(v.snapshot.get("erased") for v in erased.versions.all())
    assert list(Message.objects.filter(dossier=erased).values_list("body", flat=True)) == [""]
    assert Score.objects.get(evaluation=evaluation).comment == ""
    assert Score.objects.get(evaluation=evaluation).value == 3
    assert Evaluation.objects.get(pk=evaluation.pk).summary == ""
    assert Dossier.objects.get(pk=old_laureate.pk).content_erased_at is not None
    for kept in (recent_refusal, laureate):
        assert Dossier.objects.get(pk=kept.pk).content_erased_at is None
        assert Answer.objects.filter(dossier=kept).count() == 12
    assert AuditEntry.objects.filter(action="dossier.content_erased").count() == 2
    assert audit_verify().ok is True


def test_the_proof_of_an_erased_version_is_gone_and_the_dossier_page_still_opens(client, open_wave, make_user,
                                                                                 commune):
    owner = make_user("lea@exemple.fr")
    dossier = _decided(_dossier(open_wave, owner, commune), DossierState.NOT_RETAINED, 6)
    client.force_login(owner)
    assert client.get(f"/dossiers/{dossier.uuid}/versions/1/attestation.pdf").status_code == 200
    dossiers_erase_expired()

    assert client.get(f"/dossiers/{dossier.uuid}/").status_code == 200
    proof = client.get(f"/dossiers/{dossier.uuid}/versions/1/attestation.pdf")
    assert proof.status_code == 404
    assert "effacé à la fin de sa durée de conservation" in proof.content.decode()


def test_the_daily_command_reports_each_calls_periods(call, capsys):
    call_command("apply_retention")
    out = capsys.readouterr().out
    assert "ami-tiers-lieux-2019: drafts 365 days (notice 30), unfunded 5 years, laureates 10 years" in out
    assert "0 notices sent, 0 drafts deleted, 0 dossiers erased, 0 sent e-mails deleted" in out
