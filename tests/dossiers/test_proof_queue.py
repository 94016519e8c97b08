"""In production the proof of deposit is queued for the job worker, sent once, and retried on failure."""

import pytest
from django.core import mail
from django.core.management import call_command

from fabriques.dossiers.deposit import deposit_key_issue, dossier_deposit, proofs_send_queued
from fabriques.dossiers.models import DossierVersion

pytestmark = pytest.mark.django_db


def test_a_queued_proof_is_sent_once_by_the_worker(complete_dossier, settings, django_capture_on_commit_callbacks):
    settings.FABRIQUES_DEPOSIT_PROOF_QUEUE = True
    dossier = complete_dossier
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        version = dossier_deposit(dossier=dossier, by=dossier.owner,
                                  submission_key=deposit_key_issue(dossier=dossier))

    assert [m.subject for m in mail.outbox if "Attestation" in m.subject] == []
    assert DossierVersion.objects.get(pk=version.pk).proof_queued is True
    call_command("run_jobs", "--once")
    assert proofs_send_queued() == 0
    [message] = [m for m in mail.outbox if "Attestation de dépôt" in m.subject]
    assert message.attachments[0][2] == "application/pdf"
    assert version.sha256 in message.body
    version.refresh_from_db()
    assert (version.proof_queued, version.proof_sent_at is not None) == (False, True)
