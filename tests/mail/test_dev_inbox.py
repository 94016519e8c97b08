"""Development inbox: e-mails kept as files and listed with clickable links, only with DEBUG on."""

import pytest
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "fabriques.mail.devinbox.DevInboxBackend"
    settings.FABRIQUES_DEV_INBOX_DIR = str(tmp_path)
    settings.DEBUG = True
    return tmp_path


def test_a_sent_email_is_listed_and_its_link_is_clickable(client, inbox, capsys):
    message = EmailMessage("Confirmez votre adresse", "Cliquez : http://testserver/compte/confirm-email/abc/\n",
                           to=["lea@exemple.fr"], connection=get_connection())
    message.attach("preuve.pdf", b"%PDF-1.4", "application/pdf")
    message.send()

    listing = client.get(reverse("mail:inbox")).content.decode()
    assert "Confirmez votre adresse" in listing
    assert "lea@exemple.fr" in listing
    [name] = [p.stem for p in inbox.glob("*.eml")]
    page = client.get(reverse("mail:inbox_email", args=[name])).content.decode()
    assert '<a href="http://testserver/compte/confirm-email/abc/"' in page
    assert "preuve.pdf" in page
    assert "Confirmez votre adresse" in capsys.readouterr().out  # still printed on the console


def test_the_inbox_does_not_exist_without_debug(client, inbox, settings):
    settings.DEBUG = False
    assert client.get(reverse("mail:inbox")).status_code == 404


def test_a_name_outside_the_inbox_is_a_404(client, inbox):
    assert client.get(reverse("mail:inbox_email", args=["..%2F..%2Fetc"])).status_code == 404
    assert client.get("/dev/courriels/inconnu/").status_code == 404


def test_the_proof_of_deposit_reaches_the_dev_inbox_through_the_outbox_with_its_pdf(
    client, inbox, complete_dossier, settings, django_capture_on_commit_callbacks,
):
    from fabriques.dossiers.deposit import deposit_key_issue, dossier_deposit
    from fabriques.mail.models import OutgoingEmail

    settings.FABRIQUES_DEPOSIT_PROOF_QUEUE = False
    dossier = complete_dossier
    with django_capture_on_commit_callbacks(execute=True):
        version = dossier_deposit(dossier=dossier, by=dossier.owner, submission_key=deposit_key_issue(dossier=dossier))

    row = OutgoingEmail.objects.get(subject__contains="Attestation de dépôt")
    filename = f"attestation-depot-{dossier.reference}-v{version.number}.pdf"
    assert row.attachments.get().filename == filename
    listing = client.get(reverse("mail:inbox")).content.decode()
    assert f"Attestation de dépôt — {dossier.reference}" in listing
    [name] = [p.stem for p in inbox.glob("*.eml") if "Attestation" in p.read_text(errors="replace")]
    page = client.get(reverse("mail:inbox_email", args=[name])).content.decode()
    assert f"Pièces jointes : {filename}" in page
