"""`python -m fabriques scan-pending`: files stored without a verdict go through the real clamd; an infected
one is quarantined, audited, and every download view refuses it in French."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from fabriques.audit.domain import audit_verify
from fabriques.audit.models import AuditEntry
from fabriques.calls.models import RequiredAttachment
from fabriques.dossiers import domain as dossier_domain
from fabriques.dossiers.downloads import QUARANTINED_MESSAGE
from fabriques.dossiers.models import DossierAttachment
from fabriques.instruction.messages import message_post
from fabriques.instruction.models import Message
from fabriques.operations.scan import NO_SCANNER_MESSAGE
from fabriques.security.antivirus import ScanState
from tests.dossiers.conftest import *  # noqa: F403 - media_root and the applicant's fixtures
from tests.dossiers.factories import small_pdf
from tests.instruction.conftest import *  # noqa: F403 - deposited dossiers routed to an instruction group
from tests.security.conftest import REPORTED, eicar_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_unscanned(settings, build, communes, occitanie, media_root):
    """A deposited dossier whose files were all stored while no scanner was configured, two of them infected."""
    settings.FABRIQUES_CLAMD = ""
    built = build(communes["toulouse"])
    letters = RequiredAttachment.objects.get(code="lettres-soutien", tracks=built.track)
    infected_attachment = dossier_domain.attachment_add(
        dossier=built, required=letters, upload=SimpleUploadedFile("Soutien mairie.pdf", eicar_pdf()), by=built.owner
    )
    clean_message = message_post(
        dossier=built, author=built.owner, body="Le devis", upload=SimpleUploadedFile("devis.pdf", small_pdf("d"))
    )
    infected_message = message_post(
        dossier=built, author=built.owner, body="La facture", upload=SimpleUploadedFile("facture.pdf", eicar_pdf())
    )
    message_post(dossier=built, author=built.owner, body="Sans pièce jointe")
    return {"dossier": built, "attachment": infected_attachment, "message": infected_message,
            "clean_message": clean_message}


def _states(dossier) -> tuple[list, list]:
    attachments = sorted(DossierAttachment.objects.filter(dossier=dossier).values_list("pk", "scan_state", "file"))
    messages = sorted(Message.objects.filter(dossier=dossier).values_list("pk", "attachment_scan_state", "attachment"))
    return attachments, messages


def _run() -> str:
    out = io.StringIO()
    call_command("scan_pending", stdout=out)
    return out.getvalue()


def _run_with_errors(errors: int) -> str:
    """A run that could not scan every file: its summary is printed and it exits non-zero (CommandError)."""
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("scan_pending", stdout=out)
    assert str(failed.value).startswith(f"{errors} fichier(s) n’ont pas pu être analysés")
    return out.getvalue()


def test_without_a_scanner_the_command_refuses_to_run_and_changes_nothing(stored_unscanned, no_scanner):
    before, audit_before = _states(stored_unscanned["dossier"]), AuditEntry.objects.count()

    with pytest.raises(CommandError) as refused:
        _run()

    assert str(refused.value) == NO_SCANNER_MESSAGE
    assert _states(stored_unscanned["dossier"]) == before
    assert AuditEntry.objects.count() == audit_before


def test_pending_files_are_scanned_the_clean_marked_clean_and_the_infected_quarantined_and_audited(
    stored_unscanned, scanner, media_root
):
    dossier = stored_unscanned["dossier"]
    attachments = DossierAttachment.objects.filter(dossier=dossier).count()
    assert set(DossierAttachment.objects.filter(dossier=dossier).values_list("scan_state", flat=True)) == {
        ScanState.NOT_SCANNED
    }
    infected_old_path = media_root / stored_unscanned["attachment"].file.name
    message_old_path = media_root / stored_unscanned["message"].attachment.name

    output = _run()

    clean = (attachments - 1) + 1  # every attachment but the infected one, and the clean message's file
    assert output == f"scanned={attachments + 2} clean={clean} infected=2 errors=0\n"
    infected = DossierAttachment.objects.get(pk=stored_unscanned["attachment"].pk)
    message = Message.objects.get(pk=stored_unscanned["message"].pk)
    assert (infected.scan_state, message.attachment_scan_state) == (ScanState.INFECTED, ScanState.INFECTED)
    assert set(DossierAttachment.objects.filter(dossier=dossier).exclude(pk=infected.pk)
               .values_list("scan_state", flat=True)) == {ScanState.CLEAN}
    assert Message.objects.get(pk=stored_unscanned["clean_message"].pk).attachment_scan_state == ScanState.CLEAN
    assert Message.objects.get(dossier=dossier, attachment="").attachment_scan_state == ""
    for row_file, old_path in ((infected.file, infected_old_path), (message.attachment, message_old_path)):
        assert row_file.name.startswith("quarantine/")
        assert not old_path.exists()
        assert (media_root / row_file.name).read_bytes() == eicar_pdf()
    entries = AuditEntry.objects.filter(action="security.quarantined").order_by("id")
    assert [(e.object_type, e.object_id, e.actor_label, e.dossier_id, e.before, e.after) for e in entries] == [
        ("dossiers.dossierattachment", str(infected.pk), "système", dossier.pk, {"scan_state": "not_scanned"},
         {"scan_state": "infected", "signature": REPORTED, "name": "Soutien mairie.pdf"}),
        ("instruction.message", str(message.pk), "système", dossier.pk, {"scan_state": "not_scanned"},
         {"scan_state": "infected", "signature": REPORTED, "name": "facture.pdf"}),
    ]
    assert audit_verify().ok


def test_a_second_run_finds_nothing_left_to_scan(stored_unscanned, scanner):
    _run()
    after_first = _states(stored_unscanned["dossier"])

    assert _run() == "scanned=0 clean=0 infected=0 errors=0\n"
    assert _states(stored_unscanned["dossier"]) == after_first
    assert AuditEntry.objects.filter(action="security.quarantined").count() == 2


def test_when_the_scanner_is_down_files_stay_in_place_as_error_and_the_next_run_scans_them(
    stored_unscanned, scanner_down, clamd, settings, media_root
):
    dossier = stored_unscanned["dossier"]
    files = DossierAttachment.objects.filter(dossier=dossier).count() + 2

    assert _run_with_errors(files) == f"scanned={files} clean=0 infected=0 errors={files}\n"
    attachments, messages = _states(dossier)
    assert {state for _, state, _ in attachments} == {ScanState.ERROR}
    assert {state for _, state, name in messages if name} == {ScanState.ERROR}
    assert not any(name.startswith("quarantine/") for _, _, name in attachments + messages)
    assert not AuditEntry.objects.filter(action="security.quarantined").exists()

    settings.FABRIQUES_CLAMD = clamd["tcp"]
    assert _run() == f"scanned={files} clean={files - 2} infected=2 errors=0\n"


def test_a_file_missing_from_the_storage_is_counted_as_an_error_and_the_others_are_scanned(
    stored_unscanned, scanner, media_root
):
    missing = stored_unscanned["clean_message"]
    (media_root / missing.attachment.name).unlink()
    files = DossierAttachment.objects.filter(dossier=stored_unscanned["dossier"]).count() + 2

    output = _run_with_errors(1)

    assert output == f"scanned={files} clean={files - 3} infected=2 errors=1\n"
    assert Message.objects.get(pk=missing.pk).attachment_scan_state == ScanState.ERROR


# --- Downloads of a quarantined file ---------------------------------------------------------------------


@pytest.fixture
def quarantined(stored_unscanned, scanner):
    _run()
    return stored_unscanned


def _refused_in_french(response, name):
    html = response.content.decode()
    return (response.status_code, f"« {name} » ne peut pas être téléchargé" in html, QUARANTINED_MESSAGE in html)


@pytest.mark.parametrize("who", ["owner", "instructor"])
def test_every_download_view_refuses_a_quarantined_attachment_in_french(quarantined, occitanie, client, who):
    dossier, attachment = quarantined["dossier"], quarantined["attachment"]
    client.force_login(dossier.owner if who == "owner" else occitanie["instructor"])
    url = (reverse("dossiers:attachment-download", args=[dossier.uuid, attachment.uuid]) if who == "owner"
           else reverse("instruction:attachment", args=[dossier.uuid, attachment.uuid]))

    response = client.get(url)

    assert _refused_in_french(response, "Soutien mairie.pdf") == (403, True, True)
    assert "Content-Disposition" not in response


@pytest.mark.parametrize("who", ["owner", "instructor"])
def test_a_quarantined_message_attachment_is_refused_and_a_clean_one_is_served(quarantined, occitanie, client, who):
    dossier = quarantined["dossier"]
    client.force_login(dossier.owner if who == "owner" else occitanie["instructor"])

    refused = client.get(reverse("instruction:message-attachment", args=[quarantined["message"].pk]))
    served = client.get(reverse("instruction:message-attachment", args=[quarantined["clean_message"].pk]))

    assert _refused_in_french(refused, "facture.pdf") == (403, True, True)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == small_pdf("d")


def test_a_quarantined_file_stays_hidden_from_people_who_may_not_see_the_dossier(quarantined, occitanie, client):
    dossier = quarantined["dossier"]
    client.force_login(occitanie["other_instructor"])

    response = client.get(reverse("instruction:attachment", args=[dossier.uuid, quarantined["attachment"].uuid]))

    assert response.status_code == 404
    assert "Soutien mairie.pdf" not in response.content.decode()


def test_the_instruction_page_shows_a_quarantined_file_without_a_link(quarantined, occitanie, client):
    dossier, attachment = quarantined["dossier"], quarantined["attachment"]
    client.force_login(occitanie["instructor"])

    html = client.get(reverse("instruction:dossier", args=[dossier.uuid])).content.decode()

    assert "Soutien mairie.pdf (en quarantaine)" in html
    assert "facture.pdf (en quarantaine)" in html
    assert reverse("instruction:attachment", args=[dossier.uuid, attachment.uuid]) not in html
    assert reverse("instruction:message-attachment", args=[quarantined["message"].pk]) not in html


def test_the_applicant_sees_the_quarantined_file_without_a_link_and_asked_to_replace_it(quarantined, client):
    dossier, attachment = quarantined["dossier"], quarantined["attachment"]
    client.force_login(dossier.owner)

    html = client.get(reverse("dossiers:attachments", args=[dossier.uuid])).content.decode()

    assert "Virus détecté : fichier mis en quarantaine, remplacez-le" in html
    assert f'href="{reverse("dossiers:attachment-download", args=[dossier.uuid, attachment.uuid])}"' not in html
