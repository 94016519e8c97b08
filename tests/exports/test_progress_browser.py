"""Browser: an agent launches a background export and watches it progress without reloading; link when ready."""

import pytest
from playwright.sync_api import expect

from fabriques.exports.domain import jobs_run_pending
from fabriques.exports.enums import JobState
from fabriques.exports.models import ExportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-solide-42"


def test_export_progress_updates_live_and_the_download_link_appears(live_server, page, world, settings, tmp_path,
                                                                    screenshot, axe_check):
    settings.MEDIA_ROOT = tmp_path
    page.goto(live_server.url + "/compte/login/")
    page.get_by_label("Courriel").fill(world.admin.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/exports/{world.call.slug}/{world.wave.slug}/")

    page.locator("label[for=format-xlsx]").click()  # the DSFR label covers its radio button
    expect(page.get_by_label("Excel (XLSX, un onglet par bloc)")).to_be_checked()
    page.get_by_role("button", name="Lancer l’export").click()
    table = page.get_by_role("table", name="Vos exports de cette vague")
    expect(table).to_contain_text("En attente")
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, progress_done=job.progress_total // 2)

    expect(table).to_contain_text(f"{job.progress_total // 2} / {job.progress_total} lignes", timeout=10_000)
    expect(table).to_contain_text("En cours")
    screenshot("export-running")
    ExportJob.objects.filter(pk=job.pk).update(state=JobState.QUEUED, progress_done=0)
    assert jobs_run_pending() == 1

    link = page.get_by_role("link", name="Télécharger")
    expect(link).to_be_visible(timeout=10_000)
    expect(table).to_contain_text("Prêt")
    expect(page.locator("#export-jobs")).to_have_attribute("data-active", "0")
    screenshot("export-ready")
    axe_check("exports page")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_the_direct_csv_download_opens_as_a_zip_whose_dossiers_read_in_french_and_paris_time(
        live_server, page, world, screenshot):
    import csv
    import io
    import zipfile

    from django.utils import timezone

    page.goto(live_server.url + "/compte/login/")
    page.get_by_label("Courriel").fill(world.admin.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/exports/{world.call.slug}/{world.wave.slug}/")
    screenshot("export-page")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV (archive ZIP, un fichier par bloc)").click()

    assert download.value.suggested_filename == f"dossiers-{world.call.slug}-{world.wave.slug}.csv.zip"
    with zipfile.ZipFile(download.value.path()) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("dossiers.csv").decode("utf-8-sig"), newline="")))
    row = next(r for r in rows if r["Référence"] == world.laureate.reference)
    deposited = timezone.localtime(world.laureate.last_deposited_at).strftime("%Y-%m-%d %H:%M:%S")
    assert (row["État"], row["Décision"], row["Déposé le"]) == ("Lauréat", "Lauréat", deposited)
