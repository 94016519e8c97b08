"""In Chromium, an instructor's working day: follow a dossier, give it to a colleague, download it as one PDF and as a
ZIP, find it under « Mes dossiers suivis », write to several applicants at once and give them to a colleague in
bulk (confirmation with the count), then export their groups' dossiers. Axe on every page."""

import io
import zipfile

import pytest
from playwright.sync_api import expect

from fabriques.accounts.enums import Role
from fabriques.instruction.models import Instruction, Message
from fabriques.instruction.routing import group_save
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_instructor_follows_assigns_downloads_and_acts_in_bulk(
    live_server, page, build, communes, occitanie, close_wave, make_user, call, admin_user, tmp_path, settings,
    screenshot, axe_check
):
    settings.MEDIA_ROOT = tmp_path / "media"
    instructor = occitanie["instructor"]
    colleague = make_user("collegue@exemple.fr", call=call, role=Role.INSTRUCTOR)
    group_save(call=call, name="Occitanie", regions=["76"], departements=[],
               member_emails=[instructor.email, colleague.email], by=admin_user)
    first, second, third = (build(communes["toulouse"]) for _ in range(3))
    close_wave()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server.url, instructor.email)

    page.goto(f"{live_server.url}/instruction/dossiers/{first.uuid}/")
    page.get_by_role("button", name="Suivre").click()
    expect(page.get_by_text("Vous suivez ce dossier")).to_have_count(2)  # the message and the panel's hint
    page.get_by_label("Attribuer à un instructeur du groupe").select_option(label=colleague.email)
    page.get_by_role("button", name="Attribuer", exact=True).click()
    expect(page.get_by_text(f"Dossier attribué à {colleague.email}.")).to_be_visible()
    expect(page.locator("#assigned-to")).to_have_text(colleague.email)
    screenshot("dossier-followed-assigned")
    axe_check("dossier followed and assigned")

    with page.expect_download() as pdf:
        page.get_by_role("link", name="Télécharger le dossier (PDF)").click()
    assert pdf.value.suggested_filename == f"dossier-{first.reference}-v1.pdf"
    with open(pdf.value.path(), "rb") as content:
        assert content.read(5) == b"%PDF-"
    with page.expect_download() as archive:
        page.get_by_role("link", name="Télécharger tout (ZIP)").click()
    with open(archive.value.path(), "rb") as content:
        names = zipfile.ZipFile(io.BytesIO(content.read())).namelist()
    assert names[0] == f"dossier-{first.reference}/dossier-{first.reference}.pdf"
    assert len(names) == 1 + first.attachments.count()

    page.goto(f"{live_server.url}/instruction/")
    page.get_by_label("Mes dossiers suivis").check(force=True)  # the DSFR label covers the box
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#dashboard-table tbody a", has_text=first.reference)).to_be_visible()
    expect(page.locator("#dashboard-table tbody a", has_text=second.reference)).to_have_count(0)
    axe_check("dashboard, followed dossiers")

    page.goto(f"{live_server.url}/instruction/")
    for dossier in (second, third):
        page.get_by_label(f"Choisir {dossier.reference}").check(force=True)
    page.get_by_label("Action groupée sur les dossiers cochés").select_option(label="Écrire aux porteurs")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", name="Écrire aux porteurs : 2 dossiers")).to_be_visible()
    page.get_by_role("button", name="Confirmer pour 2 dossiers").click()  # required body: the browser keeps us here
    assert not Message.objects.exists()
    page.get_by_label("Message à chaque porteur").fill("Merci de confirmer la date d’ouverture du lieu.")
    screenshot("bulk-message-confirm")
    axe_check("bulk confirmation")
    page.get_by_role("button", name="Confirmer pour 2 dossiers").click()
    expect(page.get_by_text("Écrire aux porteurs : fait pour 2 dossiers.")).to_be_visible()
    assert set(Message.objects.values_list("dossier_id", flat=True)) == {second.pk, third.pk}

    for dossier in (second, third):
        page.get_by_label(f"Choisir {dossier.reference}").check(force=True)
    page.get_by_label("Action groupée sur les dossiers cochés").select_option(label="Attribuer à un instructeur")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Instructeur").select_option(label=colleague.email)
    page.get_by_role("button", name="Confirmer pour 2 dossiers").click()
    expect(page.get_by_text("Attribuer à un instructeur : fait pour 2 dossiers.")).to_be_visible()
    assert set(Instruction.objects.filter(dossier__in=[second, third]).values_list("assigned_to", flat=True)) == {
        colleague.pk}

    page.goto(f"{live_server.url}/espace/")
    page.get_by_role("link", name="Exporter les dossiers de mes groupes").first.click()
    expect(page.get_by_text("3 dossiers visibles par vous")).to_be_visible()
    axe_check("export of the instructor's groups")
    with page.expect_download() as export:
        page.get_by_role("link", name="Excel (XLSX, un onglet par bloc)").click()
    assert export.value.suggested_filename.endswith(".xlsx")
