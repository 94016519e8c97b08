"""The dossier as one file for agents: its deposited version as a PDF, and a ZIP of that PDF with every file."""

import io
import zipfile

import pytest

from fabriques.accounts.enums import Role
from fabriques.dossiers import domain as dossier_domain
from fabriques.instruction.bundle import dossier_html, last_version
from fabriques.security.antivirus import ScanState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_pdf_renders_the_deposited_version_not_later_edits(client, build, communes, occitanie):
    dossier = build(communes["toulouse"])
    version = last_version(dossier)
    criterion = dossier.wave.call.criteria.order_by("position").first()
    deposited_text = version.snapshot["answers"][0]["text"]
    answer = dossier.answers.get(criterion=criterion)
    dossier_domain.answer_save(dossier=dossier, criterion=criterion, text="Texte modifié après le dépôt",
                               base_version=answer.version, by=dossier.owner)
    client.force_login(occitanie["instructor"])

    response = client.get(f"/instruction/dossiers/{dossier.uuid}/dossier.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="dossier-{dossier.reference}-v1.pdf"'
    assert response["Cache-Control"].startswith("private, no-store")
    assert response.content.startswith(b"%PDF-")
    html = dossier_html(dossier=dossier, version=version, by=occitanie["instructor"])
    assert deposited_text.splitlines()[0] in html
    assert "Texte modifié après le dépôt" not in html
    assert version.sha256 in html
    assert "Éligibilité" in html
    assert "Budget" in html
    for attachment in version.snapshot["attachments"]:
        assert attachment["sha256"] in html


def test_the_zip_holds_the_pdf_and_every_deposited_file_under_clean_names(client, build, communes, occitanie):
    dossier = build(communes["toulouse"])
    client.force_login(occitanie["instructor"])

    response = client.get(f"/instruction/dossiers/{dossier.uuid}/dossier.zip")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="dossier-{dossier.reference}-v1.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    names = archive.namelist()
    base = f"dossier-{dossier.reference}"
    assert names[0] == f"{base}/{base}.pdf"
    assert archive.read(names[0]).startswith(b"%PDF-")
    files = list(dossier.attachments.select_related("required").order_by("required__position", "uploaded_at"))
    assert len(names) == 1 + len(files)
    for name, item in zip(names[1:], files, strict=True):
        assert name.startswith(f"{base}/pieces/")
        assert item.required.code in name
        assert "/" not in name.removeprefix(f"{base}/pieces/")
        with item.file.open("rb") as stored:
            assert archive.read(name) == stored.read()


def test_a_quarantined_file_is_left_out_of_the_zip_and_said_so(client, build, communes, occitanie):
    dossier = build(communes["toulouse"])
    infected = dossier.attachments.select_related("required").first()
    type(infected).objects.filter(pk=infected.pk).update(scan_state=ScanState.INFECTED)
    client.force_login(occitanie["instructor"])

    archive = zipfile.ZipFile(io.BytesIO(b"".join(
        client.get(f"/instruction/dossiers/{dossier.uuid}/dossier.zip").streaming_content)))

    note = archive.read(f"dossier-{dossier.reference}/LISEZMOI.txt").decode()
    assert f"« {infected.original_name} »" in note
    assert "quarantaine" in note
    assert not any(infected.required.code in name for name in archive.namelist() if "/pieces/" in name)


@pytest.mark.parametrize("who", ["other_instructor", "evaluator", "applicant"])
def test_who_does_not_see_the_dossier_gets_a_404(client, build, communes, occitanie, make_user, call, who):
    dossier = build(communes["toulouse"])
    user = {
        "other_instructor": occitanie["other_instructor"],
        "evaluator": make_user("evaluateur@exemple.fr", call=call, role=Role.EVALUATOR),
        "applicant": dossier.owner,
    }[who]
    client.force_login(user)

    for suffix in ("dossier.pdf", "dossier.zip"):
        assert client.get(f"/instruction/dossiers/{dossier.uuid}/{suffix}").status_code == 404
