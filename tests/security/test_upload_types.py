"""Uploads are typed from their bytes for storage and download (issue 15, point 6).

The probe: a PDF uploaded as `page.html` was served as text/html (the type came from the name).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fabriques.instruction.messages import message_post
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    applicant,
    commune,
    complete_dossier,
    deposited_dossier,
    dossier,
    media_root,
    organisation,
    track,
)
from tests.dossiers.factories import small_pdf

pytestmark = pytest.mark.django_db


def test_a_pdf_named_html_is_stored_and_served_as_a_pdf(client, dossier, applicant, media_root):  # noqa: F811
    client.force_login(applicant)
    content = small_pdf("statuts")

    client.post(reverse("dossiers:attachments", args=[dossier.uuid]),
                {"code": "statuts", "file": SimpleUploadedFile("page.html", content, content_type="text/html")})
    attachment = dossier.attachments.get()
    response = client.get(reverse("dossiers:attachment-download", args=[dossier.uuid, attachment.uuid]))

    assert attachment.file.name.endswith(".pdf")
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="page.html.pdf"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == content


def test_agents_download_the_same_file_typed_from_its_bytes(client, deposited_dossier, admin_user):  # noqa: F811
    attachment = deposited_dossier.attachments.first()
    client.force_login(admin_user)

    response = client.get(reverse("instruction:attachment", args=[deposited_dossier.uuid, attachment.uuid]))

    assert response.status_code == 200
    assert response["Content-Type"] == attachment_mime(attachment.detected_type)


def attachment_mime(kind):
    from fabriques.dossiers.filetypes import MIME_TYPES

    return MIME_TYPES[kind]


def test_a_message_attachment_named_html_is_served_as_a_pdf(client, deposited_dossier, admin_user,  # noqa: F811
                                                             media_root):  # noqa: F811
    message = message_post(dossier=deposited_dossier, author=admin_user, body="Voir la pièce.",
                           upload=SimpleUploadedFile("note.html", small_pdf("note"), content_type="text/html"))
    client.force_login(admin_user)

    response = client.get(reverse("instruction:message-attachment", args=[message.pk]))

    assert message.attachment.name.endswith(".pdf")
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="note.html.pdf"' in response["Content-Disposition"]


@pytest.mark.parametrize("section", ["answer", "place", "budget"])
def test_a_section_version_beyond_the_database_is_refused_not_a_500(client, dossier, applicant, section):  # noqa: F811
    """Hidden version fields are form numbers too: thirty nines are a form error (400), never an OverflowError."""
    client.force_login(applicant)
    args = [dossier.uuid, dossier.track.criteria.first().code] if section == "answer" else [dossier.uuid]

    response = client.post(reverse(f"dossiers:{section}", args=args), {"version": "9" * 30, "text": "Bonjour"})

    assert response.status_code in (200, 400)
