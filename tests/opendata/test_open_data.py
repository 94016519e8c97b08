"""Open data of laureates: only applied laureates, valid against the published Table Schema, nothing personal."""

import csv
import io
import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def csv_text(client) -> str:
    return b"".join(client.get(reverse("opendata:laureates-csv")).streaming_content).decode()


def test_csv_lists_only_the_applied_laureate_with_its_commune_point(client, world):
    rows = list(csv.DictReader(io.StringIO(csv_text(client))))

    assert len(rows) == 1
    row = rows[0]
    assert row["reference"] == world.laureate.reference
    assert (row["commune"], row["code_insee"], row["departement"], row["region"]) == ("Toulouse", "31555", "31", "76")
    assert (row["entree"], row["vague"], row["montant_eur"]) == ("territoire", world.wave.slug, "50000")
    expected_source = "lieu" if world.laureate.place_latitude is not None else "commune"
    assert row["source_coordonnees"] == expected_source
    if expected_source == "commune":
        assert (row["latitude"], row["longitude"]) == ("43.6045", "1.444")


def test_staged_but_not_applied_decision_is_not_published(client, world):
    from fabriques.committee.models import Decision

    Decision.objects.filter(dossier=world.laureate).update(applied_at=None)

    assert list(csv.DictReader(io.StringIO(csv_text(client)))) == []


def test_csv_validates_against_the_published_table_schema(client, world, tmp_path):
    from frictionless import Resource, Schema

    path = tmp_path / "laureats.csv"
    path.write_text(csv_text(client), encoding="utf-8")
    descriptor = client.get(reverse("opendata:datapackage")).json()
    schema = Schema.from_descriptor(descriptor["resources"][0]["schema"])

    report = Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert [f.name for f in schema.fields] == next(csv.reader(io.StringIO(csv_text(client))))


def test_an_invalid_row_is_caught_by_the_schema(tmp_path):
    from frictionless import Resource, Schema

    from fabriques.opendata.schema import TABLE_SCHEMA

    header = ",".join(f["name"] for f in TABLE_SCHEMA["fields"])
    path = tmp_path / "bad.csv"
    row = "R1,Lieu,Ville,7500,75,11,a,v,V,e,E,-5,2026-01-01,43,1,ailleurs,,false"
    path.write_text(header + "\n" + row + "\n", encoding="utf-8")

    report = Resource(path=path.name, basepath=str(tmp_path), schema=Schema.from_descriptor(TABLE_SCHEMA)).validate()

    errors = {(e[0], e[1]) for e in report.flatten(["fieldName", "type"])}
    assert errors == {("code_insee", "constraint-error"), ("montant_eur", "constraint-error"),
                      ("source_coordonnees", "constraint-error")}


def test_files_hold_no_personal_data_of_the_fixtures(client, world):
    from fabriques.accounts.models import User

    published = csv_text(client) + b"".join(
        client.get(reverse("opendata:laureates-geojson")).streaming_content).decode() + client.get(
        reverse("opendata:page")).content.decode()
    organisation = world.laureate.organisation

    for user in User.objects.all():
        assert user.email not in published
    assert organisation.siret not in published
    assert organisation.name not in published
    assert str(world.laureate.uuid) not in published


def test_geojson_has_one_point_feature_per_laureate(client, world):
    data = json.loads(b"".join(client.get(reverse("opendata:laureates-geojson")).streaming_content))

    [feature] = data["features"]
    assert data["type"] == "FeatureCollection"
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["reference"] == world.laureate.reference
    assert feature["properties"]["montant_eur"] == 50000


def test_open_data_page_is_public_and_lists_the_laureate(client, world):
    response = client.get(reverse("opendata:page"))

    assert response.status_code == 200
    assert world.laureate.reference in response.content.decode()
    assert world.other_occ.reference not in response.content.decode()


def _report_with_qpv(code, inside, distance_m):
    return {"status": "pass", "results": [], "location": {"qpv": {"code": code, "inside": inside,
                                                                 "distance_m": distance_m}}}


@pytest.mark.parametrize(("is_qpv", "report", "code", "flag"), [
    (True, _report_with_qpv("QN03101M", False, 120), "QN03101M", "true"),  # near a QPV, classified so
    (None, _report_with_qpv("QN03101M", True, 0), "QN03101M", "true"),  # inside, not classified yet
    (False, _report_with_qpv("QN03101M", False, 4000), "", "false"),
    (True, {"status": "manual", "results": [], "location": None}, "", "true"),  # classified by hand, code unknown
])
def test_the_qpv_columns_agree_with_the_statistics(client, world, is_qpv, report, code, flag):
    from fabriques.dossiers.models import Dossier
    from fabriques.instruction.models import Instruction

    Instruction.objects.filter(dossier=world.laureate).update(is_qpv=is_qpv)
    Dossier.objects.filter(pk=world.laureate.pk).update(eligibility_report=report)

    [row] = list(csv.DictReader(io.StringIO(csv_text(client))))

    assert (row["code_qpv"], row["quartier_prioritaire"]) == (code, flag)
