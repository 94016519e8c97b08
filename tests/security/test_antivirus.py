"""Antivirus: uploads are scanned by a real clamd over INSTREAM, with a signature database built here (EICAR).

The clamd fixture (and `scanner`, `scanner_down`, `no_scanner`) lives in tests/security/conftest.py.
"""

import io
import socket
import threading
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fabriques.dossiers import domain, queries
from fabriques.dossiers.models import Answer, Dossier
from fabriques.security.antivirus import (
    INFECTED_MESSAGE,
    UNAVAILABLE_MESSAGE,
    ClamdAddress,
    ScanState,
    check_clamd_setting,
    parse_address,
    scan_stream,
)
from tests.dossiers.conftest import *  # noqa: F403 - the applicant's dossier fixtures
from tests.dossiers.factories import small_pdf
from tests.instruction.conftest import *  # noqa: F403 - deposited dossiers routed to an instruction group
from tests.security.conftest import EICAR, REPORTED, eicar_pdf


def _stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


# --- The client against the real clamd ---------------------------------------------------------------


def _scan(address: str, content: bytes):
    return scan_stream(io.BytesIO(content), address=parse_address(address), timeout=10)


def test_clamd_says_clean_for_a_clean_pdf_and_names_the_signature_of_eicar_over_unix_and_tcp(clamd):
    for address in (clamd["unix"], clamd["tcp"]):
        assert _scan(address, small_pdf("Statuts")).state == ScanState.CLEAN
        bare = _scan(address, EICAR)
        assert (bare.state, bare.signature) == (ScanState.INFECTED, REPORTED)
        embedded = _scan(address, eicar_pdf())
        assert (embedded.state, embedded.signature) == (ScanState.INFECTED, REPORTED)


def test_a_file_sent_in_many_chunks_is_scanned_whole(clamd):
    big = small_pdf("Annexe") + b"% " + b"0" * 300_000 + b"\n% " + EICAR + b"\n"

    result = _scan(clamd["unix"], big)

    assert (result.state, result.signature) == (ScanState.INFECTED, REPORTED)


def test_a_stream_over_clamd_stream_max_length_is_an_error_not_clean(clamd):
    result = _scan(clamd["unix"], b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))

    assert result.state == ScanState.ERROR
    assert "size limit exceeded" in result.detail


def test_an_unreachable_scanner_is_an_error(tmp_path):
    result = _scan(f"unix:{tmp_path / 'absent.sock'}", small_pdf())

    assert result.state == ScanState.ERROR
    assert result.refusal == UNAVAILABLE_MESSAGE


def test_a_scanner_that_never_answers_is_an_error_after_the_timeout(tmp_path):
    path = str(tmp_path / "mute.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    started = time.monotonic()
    result = scan_stream(io.BytesIO(small_pdf()), address=parse_address(f"unix:{path}"), timeout=0.5)
    elapsed = time.monotonic() - started

    server.close()
    assert result.state == ScanState.ERROR
    assert "timed out" in result.detail
    assert elapsed < 5


def test_the_scanner_address_is_read_from_the_setting():
    assert parse_address("") is None
    assert parse_address("unix:/run/clamav/clamd.ctl") == ClamdAddress(socket.AF_UNIX, "/run/clamav/clamd.ctl")
    assert parse_address("tcp:clamav.interne:3310") == ClamdAddress(socket.AF_INET, ("clamav.interne", 3310))
    for bad in ("clamd.sock", "tcp:3310", "http://clamav:3310"):
        with pytest.raises(ImproperlyConfigured, match="FABRIQUES_CLAMD"):
            parse_address(bad)


def test_a_malformed_scanner_setting_is_a_system_check_error(settings):
    settings.FABRIQUES_CLAMD = "clamd.sock"

    errors = check_clamd_setting()

    assert [(e.id, e.msg) for e in errors] == [("fabriques.E001", "FABRIQUES_CLAMD='clamd.sock': expected "
                                                "'unix:/path/to/clamd.sock' or 'tcp:host:port' (or empty).")]
    settings.FABRIQUES_CLAMD = "tcp:127.0.0.1:3310"
    assert check_clamd_setting() == []


# --- Dossier attachments, through the applicant's page -----------------------------------------------


@pytest.fixture
def owner_client(client, applicant):
    client.force_login(applicant)
    return client


def _upload(owner_client, dossier, content, name="Statuts.pdf", code="statuts"):
    return owner_client.post(reverse("dossiers:attachments", args=[dossier.uuid]),
                             {"code": code, "file": SimpleUploadedFile(name, content)})


@pytest.mark.django_db
def test_a_clean_attachment_is_stored_with_the_state_clean(scanner, owner_client, dossier, media_root):
    response = _upload(owner_client, dossier, small_pdf("statuts"))

    assert response.status_code == 302
    attachment = dossier.attachments.get()
    assert attachment.scan_state == ScanState.CLEAN
    assert len(_stored_files(media_root)) == 1


@pytest.mark.django_db
def test_an_infected_attachment_is_refused_in_french_next_to_the_field_and_nothing_is_stored(
    scanner, owner_client, dossier, applicant, media_root
):
    criterion = queries.criteria_for(dossier)[0]
    domain.answer_save(dossier=dossier, criterion=criterion, text="Notre projet", base_version=0, by=applicant)
    _upload(owner_client, dossier, small_pdf("budget"), name="Budget.pdf", code="budget-previsionnel")
    version_before = Dossier.objects.values_list("content_version", flat=True).get(pk=dossier.pk)

    response = _upload(owner_client, dossier, eicar_pdf(), name="Statuts signés.pdf")

    html = response.content.decode()
    message = INFECTED_MESSAGE.format(signature=REPORTED)
    assert response.status_code == 400
    assert f'<p class="fr-error-text" id="file-statuts-error">{message}</p>' in html
    assert dossier.attachments.count() == 1
    assert len(_stored_files(media_root)) == 1
    assert "Budget.pdf" in html
    assert Dossier.objects.values_list("content_version", flat=True).get(pk=dossier.pk) == version_before
    assert Answer.objects.get(dossier=dossier, criterion=criterion).text == "Notre projet"


@pytest.mark.django_db
def test_when_the_scanner_is_down_the_upload_is_refused_with_a_retry_message(
    scanner_down, owner_client, dossier, media_root
):
    response = _upload(owner_client, dossier, small_pdf("statuts"))

    assert response.status_code == 400
    assert UNAVAILABLE_MESSAGE in response.content.decode()
    assert not dossier.attachments.exists()
    assert _stored_files(media_root) == []


@pytest.mark.django_db
def test_without_a_scanner_the_file_is_stored_as_not_scanned(no_scanner, owner_client, dossier, media_root):
    response = _upload(owner_client, dossier, small_pdf("statuts"))

    assert response.status_code == 302
    assert dossier.attachments.get().scan_state == ScanState.NOT_SCANNED


# --- What agents see, and message attachments --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("setting", "badge"), [("", "Non analysé"), ("clamd", "Analysé")])
def test_agents_see_the_scan_state_of_each_attachment(
    request, settings, build, communes, occitanie, client, media_root, setting, badge
):
    settings.FABRIQUES_CLAMD = request.getfixturevalue("clamd")["unix"] if setting else ""
    built = build(communes["toulouse"])
    from fabriques.instruction.messages import message_post

    message_post(dossier=built, author=built.owner, body="Le devis",
                                    upload=SimpleUploadedFile("devis.pdf", small_pdf("devis")))
    client.force_login(occitanie["instructor"])

    html = client.get(reverse("instruction:dossier", args=[built.uuid])).content.decode()

    expected_state = ScanState.CLEAN if setting else ScanState.NOT_SCANNED
    assert set(built.attachments.values_list("scan_state", flat=True)) == {expected_state}
    assert built.messages.get().attachment_scan_state == expected_state
    badge_html = f">{badge}</span>"
    assert html.count(badge_html) == built.attachments.count() + 1


@pytest.mark.django_db
def test_an_infected_message_attachment_is_refused_and_the_message_typed_is_kept(
    scanner, build, communes, occitanie, client, media_root
):
    built = build(communes["toulouse"])
    client.force_login(built.owner)
    files_before = _stored_files(media_root)

    response = client.post(reverse("instruction:exchanges", args=[built.uuid]), {
        "body": "Voici le devis demandé.", "attachment": SimpleUploadedFile("devis.pdf", eicar_pdf()),
    })

    html = response.content.decode()
    assert response.status_code == 400
    assert INFECTED_MESSAGE.format(signature=REPORTED) in html
    assert "Voici le devis demandé.</textarea>" in html
    assert not built.messages.exists()
    assert _stored_files(media_root) == files_before


@pytest.mark.django_db
def test_an_agent_message_with_an_infected_attachment_is_not_posted(
    scanner, build, communes, occitanie, client, media_root
):
    built = build(communes["toulouse"])
    client.force_login(occitanie["instructor"])

    response = client.post(reverse("instruction:message", args=[built.uuid]), {
        "body": "Pièce reçue par courrier.", "attachment": SimpleUploadedFile("scan.pdf", eicar_pdf()),
    })

    html = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="fr-error-text">{INFECTED_MESSAGE.format(signature=REPORTED)}</p>' in html
    assert "Pièce reçue par courrier.</textarea>" in html
    assert not built.messages.exists()
