"""The proof of deposit goes through the outbox: drawn and attached when the e-mail leaves, after the commit; in
production (`FABRIQUES_DEPOSIT_PROOF_QUEUE`) left to the job worker, sent once."""

import pytest
from django.core import mail
from django.core.management import call_command

from fabriques.dossiers.deposit import deposit_key_issue, dossier_deposit, proofs_send_queued
from fabriques.dossiers.models import DossierVersion
from fabriques.mail.enums import EmailState
from fabriques.mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def _proofs():
    return [m for m in mail.outbox if "Attestation de dépôt" in m.subject]


def test_a_queued_proof_is_sent_once_by_the_worker(complete_dossier, settings, django_capture_on_commit_callbacks):
    settings.FABRIQUES_DEPOSIT_PROOF_QUEUE = True
    dossier = complete_dossier
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        version = dossier_deposit(dossier=dossier, by=dossier.owner,
                                  submission_key=deposit_key_issue(dossier=dossier))

    assert _proofs() == []  # not drawn in the request
    assert mail.outbox == []  # nor the notice of deposit: the request sends nothing
    row = OutgoingEmail.objects.get(subject__contains="Attestation de dépôt")
    assert (row.state, row.attempts, row.attachment_count) == (EmailState.QUEUED, 0, 1)
    notice = OutgoingEmail.objects.get(subject__contains="Dossier déposé")
    assert (notice.state, notice.attempts) == (EmailState.QUEUED, 0)  # due at once for the worker
    call_command("run_jobs", "--once")
    call_command("run_jobs", "--once")
    [message] = _proofs()
    assert message.attachments[0][2] == "application/pdf"
    assert message.attachments[0][1][:4] == b"%PDF"
    assert version.sha256 in message.body
    row.refresh_from_db()
    notice.refresh_from_db()
    assert (row.state, notice.state) == (EmailState.SENT, EmailState.SENT)
    assert len([m for m in mail.outbox if "Dossier déposé" in m.subject]) == 1
    [attachment] = row.attachments.all()
    assert attachment.owned  # drawn by the outbox and stored with the row
    assert attachment.file.name.startswith("outbox/")
    assert attachment.file.read(4) == b"%PDF"


def test_without_the_worker_queue_the_proof_leaves_right_after_the_commit(
    complete_dossier, settings, django_capture_on_commit_callbacks,
):
    settings.FABRIQUES_DEPOSIT_PROOF_QUEUE = False
    dossier = complete_dossier
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        dossier_deposit(dossier=dossier, by=dossier.owner, submission_key=deposit_key_issue(dossier=dossier))
    assert _proofs() == []  # nothing leaves inside the deposit's transaction
    for callback in after_commit:
        callback()

    [message] = _proofs()
    assert message.attachments[0][0].startswith(f"attestation-depot-{dossier.reference}-v1")


def test_proofs_left_by_the_former_queue_move_to_the_outbox_once(complete_dossier, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.FABRIQUES_DEPOSIT_PROOF_EMAIL = False
    dossier = complete_dossier
    version = dossier_deposit(dossier=dossier, by=dossier.owner, submission_key=deposit_key_issue(dossier=dossier))
    DossierVersion.objects.filter(pk=version.pk).update(proof_queued=True)  # as the former code left it
    mail.outbox.clear()

    assert proofs_send_queued() == 1
    assert proofs_send_queued() == 0
    call_command("run_jobs", "--once")
    assert len(_proofs()) == 1
