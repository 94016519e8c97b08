import json
from io import StringIO

import pytest
import shapely
from django.core.management import CommandError, call_command

from fabriques.territory.domain import communes_import, qpv_import, tiers_lieux_import
from fabriques.territory.models import Commune, DatasetImport, Qpv, QpvCommune, TiersLieu
from fabriques.territory.sources import ImportFileError
from tests.territory.conftest import COMMUNES_CSV, QPV_2015_OCCITANIE, QPV_2024, REFERENCE, TEST_DATA, TIERS_LIEUX_CSV

pytestmark = pytest.mark.django_db


def test_qpv_2024_import_repairs_invalid_perimeters_and_keeps_collapsed_ones_as_points(qpv2024_loaded):
    report = qpv2024_loaded
    assert (report.read, report.loaded, report.repaired, report.skipped) == (1609, 1609, 85, 0)
    statuses = {s: Qpv.objects.filter(vintage=2024, geometry_status=s).count() for s in ("ok", "repaired", "collapsed")}
    assert statuses == {"ok": 1524, "repaired": 82, "collapsed": 3}
    collapsed = Qpv.objects.filter(geometry_status="collapsed").order_by("code")
    assert [q.code for q in collapsed] == ["QN09105I", "QN09113I", "QN09503I"]
    assert shapely.from_wkb(bytes(collapsed[0].geometry)).geom_type == "Point"
    assert any("QN09105I" in note and "gardé comme un point" in note for note in report.notes)
    for qpv in Qpv.objects.filter(geometry_status="repaired"):
        geometry = shapely.from_wkb(bytes(qpv.geometry))
        assert geometry.is_valid, qpv.code
        assert geometry.geom_type == "MultiPolygon", qpv.code


def test_multi_commune_qpv_has_one_row_per_commune(qpv2024_loaded):
    qpv = Qpv.objects.get(vintage=2024, code="QN00301M")
    assert qpv.commune_codes == "03095,03310"
    assert sorted(QpvCommune.objects.filter(qpv=qpv).values_list("commune_code", flat=True)) == ["03095", "03310"]
    assert QpvCommune.objects.filter(qpv__vintage=2024).values("qpv").distinct().count() == 1609


def test_both_vintages_are_kept_apart(qpv2024_loaded, qpv2015_loaded, communes_loaded):
    assert qpv2015_loaded.loaded == 105
    assert Qpv.objects.filter(vintage=2015).count() == 105
    assert Qpv.objects.filter(vintage=2024).count() == 1609
    bas_vernet = Qpv.objects.get(vintage=2015, code="QP066007")
    assert (bas_vernet.name, bas_vernet.commune_codes, bas_vernet.departement_code) == (
        "Bas-Vernet Nouveau QPV", "66136", "66"
    )
    # Re-importing 2024 leaves 2015 untouched.
    qpv_import(path=QPV_2024, vintage=2024, force=True)
    assert Qpv.objects.filter(vintage=2015).count() == 105


def test_2015_file_gets_regions_from_communes_when_they_are_loaded(communes_loaded, qpv2015_loaded):
    assert set(Qpv.objects.filter(vintage=2015).values_list("region_code", flat=True)) == {"76"}


def test_a_2015_file_imported_as_2024_is_refused(qpv2024_loaded):
    with pytest.raises(ImportFileError, match=r"entité n° 1 \(QP066007\).*pas un code 2024"):
        qpv_import(path=QPV_2015_OCCITANIE, vintage=2024)
    assert Qpv.objects.filter(vintage=2024).count() == 1609


def test_pre_repaired_file_skips_features_without_geometry_with_the_reason(db):
    report = qpv_import(path=TEST_DATA / "qpv2024_prerepaired_sample.geojson", vintage=2024)
    assert (report.read, report.loaded, report.skipped) == (3, 2, 1)
    assert report.notes == ["qpv2024_prerepaired_sample.geojson, entité n° 3 (QN09105I) ignorée : géométrie absente"]


def test_text_that_is_not_geojson_is_refused_and_previous_qpv_stay(qpv2024_loaded, tmp_path):
    bad = tmp_path / "qpv.geojson"
    bad.write_text("code_qp;nom\nQN1;x\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="ce n’est pas un fichier GeoJSON"):
        qpv_import(path=bad, vintage=2024)
    assert Qpv.objects.filter(vintage=2024).count() == 1609


def _feature_collection(coords, crs=None) -> dict:
    data = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"code_qp": "QN99999Z", "lib_qp": "Test", "insee_com": "75056"},
        "geometry": {"type": "Polygon", "coordinates": [coords]},
    }]}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return data


LAMBERT_SQUARE = [[650000, 6860000], [650100, 6860000], [650100, 6860100], [650000, 6860000]]


def test_declared_wrong_crs_is_refused_and_previous_qpv_stay(qpv2024_loaded, tmp_path):
    bad = tmp_path / "qpv.geojson"
    bad.write_text(json.dumps(_feature_collection(LAMBERT_SQUARE, "urn:ogc:def:crs:EPSG::2154")))
    with pytest.raises(ImportFileError, match="EPSG::2154 non pris en charge"):
        qpv_import(path=bad, vintage=2024)
    assert Qpv.objects.filter(vintage=2024).count() == 1609


def test_projected_coordinates_without_crs_are_refused_naming_the_feature(qpv2024_loaded, tmp_path):
    bad = tmp_path / "qpv.geojson"
    bad.write_text(json.dumps(_feature_collection(LAMBERT_SQUARE)))
    with pytest.raises(ImportFileError, match=r"entité n° 1 \(QN99999Z\).*n’est pas en EPSG:4326"):
        qpv_import(path=bad, vintage=2024)
    assert not Qpv.objects.filter(code="QN99999Z").exists()
    assert Qpv.objects.filter(vintage=2024).count() == 1609


def test_csv_with_missing_columns_is_refused_and_previous_communes_stay(communes_loaded, tmp_path):
    bad = tmp_path / "communes.csv"
    bad.write_text("code_insee,nom,code_departement\n01001,Test,01\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="ligne 1 : colonnes manquantes latitude, longitude"):
        communes_import(path=bad)
    assert Commune.objects.count() == 35094
    assert Commune.objects.get(code="01001").name == "L'Abergement-Clémenciat"


def test_unparsable_coordinates_are_refused_naming_the_line_and_previous_census_stays(tiers_lieux_loaded, tmp_path):
    bad = tmp_path / "tiers_lieux.csv"
    bad.write_text(
        "ID,NOM_TL,LAT,LONG\n1,Un lieu,45.1,4.2\n2,Autre lieu,quarante-cinq,4.3\n", encoding="utf-8"
    )
    with pytest.raises(ImportFileError, match=r"tiers_lieux\.csv, ligne 3 : latitude illisible « quarante-cinq »"):
        tiers_lieux_import(path=bad)
    assert TiersLieu.objects.count() == 1512


def test_rows_without_coordinates_are_skipped_with_the_reason(db, tmp_path):
    census = tmp_path / "census.csv"
    census.write_text("ID;NOM_TL;LAT;LONG\n1;Un lieu;45,1;4,2\n2;Sans point;;\n1;Doublon;45;4\n", encoding="utf-8")
    report = tiers_lieux_import(path=census)
    assert (report.read, report.loaded, report.skipped) == (3, 1, 2)
    assert report.notes == [
        "census.csv, ligne 3 ignorée : tiers-lieu 2 sans coordonnées",
        "census.csv, ligne 4 ignorée : identifiant 1 en double (première occurrence gardée)",
    ]
    assert TiersLieu.objects.get().latitude == 45.1


def test_same_file_twice_changes_nothing(communes_loaded, qpv2024_loaded, tiers_lieux_loaded):
    before = (
        list(Commune.objects.values_list("id", "code", "name", "latitude", "longitude", "postal_codes")),
        list(Qpv.objects.values_list("id", "code", "name", "geometry_status", "min_lon")),
        sorted(QpvCommune.objects.values_list("qpv_id", "commune_code")),
        list(TiersLieu.objects.values_list("id", "source_id", "name", "latitude")),
    )
    imports = DatasetImport.objects.count()
    assert communes_import(path=COMMUNES_CSV).unchanged
    assert qpv_import(path=QPV_2024, vintage=2024).unchanged
    assert DatasetImport.objects.count() == imports
    communes_import(path=COMMUNES_CSV, force=True)
    qpv_import(path=QPV_2024, vintage=2024, force=True)
    tiers_lieux_import(path=TIERS_LIEUX_CSV, force=True)
    after = (
        list(Commune.objects.values_list("id", "code", "name", "latitude", "longitude", "postal_codes")),
        list(Qpv.objects.values_list("id", "code", "name", "geometry_status", "min_lon")),
        sorted(QpvCommune.objects.values_list("qpv_id", "commune_code")),
        list(TiersLieu.objects.values_list("id", "source_id", "name", "latitude")),
    )
    assert after == before


def test_import_qpv_command_prints_the_closing_report(db):
    out = StringIO()
    call_command("import_qpv", str(QPV_2024), "--vintage", "2024", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "qpv-2024 : qpv2024_anct_simplified.geojson.gz — lues 1609, chargées 1609, réparées 85, ignorées 0" in text
    assert "entité n° 1137 (QN09105I) réparée : périmètre sans surface, gardé comme un point" in text


def test_import_command_error_says_nothing_was_imported(db, tmp_path):
    bad = tmp_path / "x.geojson"
    bad.write_text("{}")
    with pytest.raises(CommandError, match=r"(?s)rien n’a été importé.*pas une FeatureCollection"):
        call_command("import_qpv", str(bad), "--vintage", "2015", stdout=StringIO(), stderr=StringIO())


def test_import_territory_loads_a_folder_then_skips_files_already_imported(db):
    out = StringIO()
    call_command("import_territory", "-v0", stdout=out)  # the shipped reference data by default
    assert DatasetImport.objects.count() == 5
    assert sorted(DatasetImport.objects.values_list("dataset", "file_name")) == [
        ("communes", "communes_2022_centroids.csv.gz"),
        ("communes-contours", "communes_cog2024_geom2018_gregoiredavid_part1_dep01-49_2A_2B.geojson.gz + "
                              "communes_cog2024_geom2018_gregoiredavid_part2_dep50-95_97x.geojson.gz"),
        ("qpv-2015", "qpv2015_occitanie_hackaviz2021.geojson.gz"),
        ("qpv-2024", "qpv2024_anct_simplified.geojson.gz"),
        ("tiers-lieux", "cget_tiers_lieux_2019.csv.gz"),
    ]
    again = StringIO()
    call_command("import_territory", "--from", str(REFERENCE), "-v0", stdout=again)
    assert again.getvalue().count("déjà importé (même SHA-256)") == 5
    assert DatasetImport.objects.count() == 5


def test_import_territory_from_a_missing_folder_is_a_no_op(db, tmp_path):
    out = StringIO()
    call_command("import_territory", "--from", str(tmp_path / "absent"), stdout=out)
    assert "dossier absent" in out.getvalue()
    assert DatasetImport.objects.count() == 0


def test_insee_cog_with_coordinates_from_another_file(db, tmp_path):
    cog = tmp_path / "v_commune_2024.csv"
    cog.write_text(
        "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
        "COM,01001,84,01,01D,012,5,ABERGEMENT CLEMENCIAT,Abergement-Clémenciat,L'Abergement-Clémenciat,0108,\n"
        "COMD,01015,84,01,01D,011,1,ARBIGNIEU,Arbignieu,Arbignieu,,01015\n"
        "COM,01002,84,01,01D,011,5,ABERGEMENT DE VAREY,Abergement-de-Varey,L'Abergement-de-Varey,0101,\n",
        encoding="utf-8",
    )
    points = tmp_path / "points.csv"
    points.write_text("code_insee,latitude,longitude\n01001,46.1534,4.9261\n", encoding="utf-8")
    report = communes_import(path=cog, coordinates=points)
    assert (report.read, report.loaded, report.skipped) == (3, 1, 2)
    assert report.notes == [
        "v_commune_2024.csv, ligne 3 ignorée : 01015 est une commune déléguée (pas une commune de plein exercice)",
        "v_commune_2024.csv, ligne 4 ignorée : commune 01002 sans coordonnées",
    ]
    commune = Commune.objects.get()
    assert (commune.code, commune.name, commune.region_code, commune.search_name) == (
        "01001", "L'Abergement-Clémenciat", "84", "l abergement clemenciat"
    )
