"""Programme admins close a wave now or extend it from the interface; drafts' owners are told of an extension."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fabriques.audit.models import AuditEntry
from fabriques.dossiers import domain as dossier_domain
from fabriques.mail.models import OutgoingEmail
from tests.dossiers.conftest import *  # noqa: F403 - the dossier fixtures (applicant, drafts, deposits)

pytestmark = pytest.mark.django_db
LOCAL = "%Y-%m-%dT%H:%M"


def _post(client, call, wave, action, **fields):
    prefix = {"extend": "x", "close": "c"}[action]
    return client.post(reverse("calls:waves", args=[call.slug]), {
        "wave": wave.pk, "action": action, **{f"{prefix}{wave.pk}-{k}": v for k, v in fields.items()}})


def test_an_admin_extends_a_wave_and_each_draft_owner_is_told_once(
        client, call, open_wave, admin_user, dossier, track, organisation, applicant, make_user):
    dossier_domain.dossier_create(wave=open_wave, track=track, organisation=organisation, by=applicant)  # 2nd draft
    client.force_login(admin_user)
    new_close = timezone.localtime(open_wave.closes_at + dt.timedelta(days=10)).replace(second=0, microsecond=0)

    response = _post(client, call, open_wave, "extend", closes_at=new_close.strftime(LOCAL),
                     reason="Jours fériés de fin d’année")

    assert response.status_code == 302
    open_wave.refresh_from_db()
    assert open_wave.closes_at == new_close
    [email] = OutgoingEmail.objects.filter(subject__contains="Clôture prolongée")
    assert email.recipients == [applicant.email]
    assert f"jusqu’au {new_close:%d/%m/%Y} à {new_close:%H} h {new_close:%M}" in email.body
    assert "Motif : Jours fériés de fin d’année" in email.body
    entry = AuditEntry.objects.get(action="wave.extended")
    assert entry.after["drafts_told"] == 1


def test_an_extension_earlier_than_the_closing_or_without_reason_is_refused_keeping_the_input(
        client, call, open_wave, admin_user):
    before = open_wave.closes_at
    client.force_login(admin_user)
    earlier = timezone.localtime(before - dt.timedelta(days=1)).strftime(LOCAL)

    response = _post(client, call, open_wave, "extend", closes_at=earlier, reason="Erreur de saisie")

    assert response.status_code == 400
    page = response.content.decode()
    assert "La nouvelle clôture doit être postérieure à la clôture actuelle" in page
    assert f'value="{earlier}"' in page
    assert "Erreur de saisie" in page
    no_reason = _post(client, call, open_wave, "extend",
                      closes_at=timezone.localtime(before + dt.timedelta(days=3)).strftime(LOCAL), reason="")
    assert no_reason.status_code == 400
    open_wave.refresh_from_db()
    assert open_wave.closes_at == before


def test_an_admin_closes_an_open_wave_now_and_deposits_stop(client, call, open_wave, admin_user):
    client.force_login(admin_user)

    response = _post(client, call, open_wave, "close", reason="Enveloppe atteinte")

    assert response.status_code == 302
    open_wave.refresh_from_db()
    assert not open_wave.is_open()
    assert AuditEntry.objects.get(action="wave.closed").reason == "Enveloppe atteinte"
    again = _post(client, call, open_wave, "close", reason="")
    assert again.status_code == 400
    assert "Cette vague n’est pas ouverte" in again.content.decode()


def test_a_wave_whose_instruction_started_cannot_be_extended(client, call, open_wave, admin_user, deposited_dossier):
    from fabriques.dossiers.enums import DossierState
    from fabriques.dossiers.workflow import dossier_transition

    dossier_transition(deposited_dossier, DossierState.IN_INSTRUCTION, by=admin_user)
    client.force_login(admin_user)

    response = _post(client, call, open_wave, "extend",
                     closes_at=timezone.localtime(open_wave.closes_at + dt.timedelta(days=3)).strftime(LOCAL),
                     reason="Retard")

    assert response.status_code == 400
    assert "L’instruction des dossiers de cette vague a commencé" in response.content.decode()
