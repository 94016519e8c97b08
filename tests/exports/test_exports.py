"""Exports of a wave: values read back unchanged in each format, scoped to the agent, background jobs end to end."""

import csv
import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fabriques.exports import domain, queries
from fabriques.exports.enums import JobState
from fabriques.exports.models import ExportJob

pytestmark = pytest.mark.django_db


def url(world, name, *extra):
    return reverse(f"exports:{name}", args=[world.call.slug, world.wave.slug, *extra])


def read_csv_zip(response) -> dict[str, list[list[str]]]:
    """Every CSV of the exported ZIP, by file name, read back with the standard `csv` module."""
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        return {name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"), newline="")))
                for name in archive.namelist()}


def as_csv_text(rows: list[list]) -> list[list[str]]:
    """What `csv.writer` writes for these values, read back by `csv.reader` (the reference for our writer)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))


def read_ods(data: bytes) -> dict[str, list[list]]:
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    document = load(io.BytesIO(data))
    sheets = {}
    for table in document.spreadsheet.getElementsByType(Table):
        rows = []
        for row in table.getElementsByType(TableRow):
            cells = []
            for cell in row.getElementsByType(TableCell):
                kind = cell.getAttribute("valuetype")
                if kind == "float":
                    value = float(cell.getAttribute("value"))
                    cells.append(int(value) if value.is_integer() else value)
                elif kind == "date":
                    cells.append(cell.getAttribute("datevalue"))
                else:
                    cells.append(str(cell))
            rows.append(cells)
        sheets[table.getAttribute("name")] = rows
    return sheets


def expected(user, wave) -> dict[str, list[list]]:
    return {b.name: [b.header, *b.rows] for b in queries.blocks(user, wave)}


def test_admin_csv_is_a_zip_of_one_csv_per_block_read_back_with_the_same_values(client, world):
    client.force_login(world.admin)

    response = client.get(url(world, "download", "csv"))
    files = read_csv_zip(response)

    assert response["Content-Type"] == "application/zip"
    filename = f"dossiers-{world.call.slug}-{world.wave.slug}.csv.zip"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert list(files) == ["dossiers.csv", "reponses.csv", "budget.csv", "pieces.csv", "evaluations.csv", "notes.csv"]
    want = expected(world.admin, world.wave)
    for (name, rows), block in zip(files.items(), want, strict=True):
        assert rows == as_csv_text(want[block]), name
    header, body = files["dossiers.csv"][0], files["dossiers.csv"][1:]
    assert len(body) == 3
    row = dict(zip(header, next(r for r in body if r[0] == world.laureate.reference), strict=True))
    assert (row["État"], row["Code INSEE"], row["Montant accordé (€)"], row["Note pondérée"]) == (
        "Lauréat", "31555", "50000", "3.5")
    assert row["Montant demandé (€)"] == str(world.laureate.amount_requested_eur)
    deposited = timezone.localtime(world.laureate.last_deposited_at)  # Europe/Paris, as agents read it
    assert row["Déposé le"] == deposited.strftime("%Y-%m-%d %H:%M:%S")
    assert row["Identifiant"] == str(world.laureate.uuid)
    # coded columns read as the French words of the interface, not as codes
    assert row["Décision"] == "Lauréat"
    assert {r[header.index("Éligibilité")] for r in body} == {"À vérifier"}  # "manual" in the database
    assert {r[header.index("Recevabilité")] for r in body} <= {"Recevable", "Irrecevable", ""}
    budget = files["budget.csv"]
    assert {r[budget[0].index("Nature")] for r in budget[1:]} <= {"Charge", "Ressource"}
    assert "Charges de personnel" in {r[budget[0].index("Catégorie")] for r in budget[1:]}
    answers = {(r[0], r[1]): r[3] for r in files["reponses.csv"][1:]}
    for answer in world.laureate.answers.select_related("criterion"):
        assert answers[(world.laureate.reference, answer.criterion.code)] == answer.text


def test_xlsx_read_back_with_openpyxl_gives_the_same_values_in_one_sheet_per_block(client, world):
    from openpyxl import load_workbook

    client.force_login(world.admin)

    response = client.get(url(world, "download", "xlsx"))

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["Dossiers", "Réponses", "Budget", "Pièces", "Évaluations", "Notes"]
    want = expected(world.admin, world.wave)
    for name in workbook.sheetnames:
        got = [[("" if v is None else v) for v in row] for row in workbook[name].iter_rows(values_only=True)]
        assert got == want[name], name
    assert len(want["Notes"]) - 1 == world.laureate.track.criteria.count()


def test_ods_read_back_with_odfpy_gives_the_same_values(client, world):
    client.force_login(world.committee)

    response = client.get(url(world, "download", "ods"))

    sheets = read_ods(b"".join(response.streaming_content))
    want = expected(world.committee, world.wave)
    assert list(sheets) == list(want)
    for name, rows in want.items():
        normalised = [[v.isoformat() if hasattr(v, "isoformat") else v for v in row] for row in rows]
        assert sheets[name] == normalised, name


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_block_longer_than_a_sheet_goes_on_over_numbered_sheets_each_under_its_header(client, world, monkeypatch,
                                                                                       fmt):
    """A spreadsheet sheet holds 1,048,576 rows; the answers of 100,000 dossiers are 1.26 million. Lowered here to 5
    rows (4 under the header), and large sheets written as ZIP64 entries from 3 rows."""
    from fabriques.exports import writers

    monkeypatch.setattr(writers, "SHEET_ROWS_MAX", 5)
    monkeypatch.setattr(writers, "ZIP64_FROM_ROWS", 3)
    client.force_login(world.admin)
    want = expected(world.admin, world.wave)
    assert len(want["Notes"]) - 1 == 12  # 12 scores: three sheets of 4

    data = b"".join(client.get(url(world, "download", fmt)).streaming_content)

    if fmt == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), read_only=True)
        sheets = {name: [[("" if v is None else v) for v in row]
                         for row in workbook[name].iter_rows(values_only=True)] for name in workbook.sheetnames}
    else:
        sheets = read_ods(data)
        want = {name: [[v.isoformat() if hasattr(v, "isoformat") else v for v in row] for row in rows]
                for name, rows in want.items()}
    assert [name for name in sheets if name.startswith("Notes")] == ["Notes", "Notes (2)", "Notes (3)"]
    for name, rows in want.items():
        parts = [sheets[n] for n in sheets if n == name or n.startswith(f"{name} (")]
        assert all(part[0] == rows[0] and len(part) <= 5 for part in parts), name
        assert [row for part in parts for row in part[1:]] == rows[1:], name
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None


def test_instructor_export_holds_only_their_group_and_no_scores(client, world):
    from openpyxl import load_workbook

    client.force_login(world.instructor)

    files = read_csv_zip(client.get(url(world, "download", "csv")))
    workbook = load_workbook(io.BytesIO(b"".join(client.get(url(world, "download", "xlsx")).streaming_content)))

    csv_rows = files["dossiers.csv"]
    assert sorted(r[0] for r in csv_rows[1:]) == sorted([world.laureate.reference, world.other_occ.reference])
    assert "Note pondérée" not in csv_rows[0]
    assert list(files) == ["dossiers.csv", "reponses.csv", "budget.csv", "pieces.csv"]
    assert {r[0] for r in files["reponses.csv"][1:]} == {world.laureate.reference, world.other_occ.reference}
    assert workbook.sheetnames == ["Dossiers", "Réponses", "Budget", "Pièces"]
    references = {row[0] for row in workbook["Budget"].iter_rows(min_row=2, values_only=True)}
    assert world.lyon.reference not in references


@pytest.mark.parametrize(("who", "status"), [
    (None, 302), ("applicant", 403), ("other_applicant", 403), ("evaluator", 403),
    ("instructor", 200), ("other_instructor", 200), ("committee", 200), ("admin", 200),
])
def test_export_pages_per_role(client, world, who, status):
    if who:
        client.force_login(getattr(world, who))

    assert client.get(url(world, "wave")).status_code == status
    assert client.get(url(world, "download", "csv")).status_code == status
    assert client.post(url(world, "job-create"), {"format": "csv"}).status_code == (302 if status == 200 else status)


def test_large_wave_is_redirected_to_a_background_job(client, world, settings):
    settings.FABRIQUES_EXPORT_SYNC_MAX = 2
    client.force_login(world.admin)

    response = client.get(url(world, "download", "csv"))

    assert response.status_code == 302
    assert response["Location"] == url(world, "wave")


def test_background_job_runs_end_to_end_and_only_its_owner_downloads_it(client, world, tmp_path, settings):
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.admin)
    client.post(url(world, "job-create"), {"format": "xlsx"})
    job = ExportJob.objects.get()
    rows = sum(len(block) - 1 for block in expected(world.admin, world.wave).values())
    assert (job.state, job.progress_total) == (JobState.QUEUED, rows)

    call_command("run_jobs", "--once", stdout=io.StringIO())

    job.refresh_from_db()
    assert (job.state, job.progress_done, job.progress_total, job.error) == (JobState.DONE, rows, rows, "")
    response = client.get(reverse("exports:job-download", args=[job.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert len(list(workbook["Dossiers"].iter_rows(values_only=True))) == 4
    client.force_login(world.committee)
    assert client.get(reverse("exports:job-download", args=[job.pk])).status_code == 404


def test_a_job_is_claimed_by_one_worker_only(world):
    domain.export_request(by=world.admin, wave=world.wave, fmt="csv")

    first, second = domain.job_claim_next(), domain.job_claim_next()

    assert first.state == JobState.RUNNING
    assert second is None


def test_unknown_format_is_refused_and_nothing_is_queued(world):
    with pytest.raises(domain.ExportError, match="Format inconnu"):
        domain.export_request(by=world.admin, wave=world.wave, fmt="pdf")
    assert not ExportJob.objects.exists()


def test_markup_and_control_characters_in_answers_read_back_from_xlsx_and_ods(client, world):
    from openpyxl import load_workbook

    answer = world.laureate.answers.select_related("criterion").first()
    answer.text = 'Un lieu <b>ouvert</b> & "partagé"\x01 ; à 5 € < 10 €'
    answer.save(update_fields=["text"])
    client.force_login(world.admin)

    workbook = load_workbook(io.BytesIO(b"".join(client.get(url(world, "download", "xlsx")).streaming_content)))
    sheets = read_ods(b"".join(client.get(url(world, "download", "ods")).streaming_content))

    want = 'Un lieu <b>ouvert</b> & "partagé" ; à 5 € < 10 €'  # the control character is not allowed in XML
    key = (world.laureate.reference, answer.criterion.code)
    assert {(r[0], r[1]): r[3] for r in workbook["Réponses"].iter_rows(min_row=2, values_only=True)}[key] == want
    assert {(r[0], r[1]): r[3] for r in sheets["Réponses"][1:]}[key] == want
