"""Batch checks: `locate --csv` and the functions behind it (the agents' upload page uses the same)."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fabriques.territory.batch import BatchError, batch_check, batch_parse
from fabriques.territory.locate import locate
from tests.territory.test_communes_by_boundary import PLACES
from tests.territory.test_eligibility import ban_server  # noqa: F401 - fixture: a local server in BAN's format
from tests.territory.test_locate import NASBINALS, VILLEURBANNE_IN_QPV

pytestmark = pytest.mark.django_db

SAMPLE = (
    "id;latitude;longitude;code_insee\n"
    f"villeurbanne;{VILLEURBANNE_IN_QPV[0]};{VILLEURBANNE_IN_QPV[1]};\n"
    f"nasbinals;{NASBINALS[0]};{NASBINALS[1]};\n"
    "perpignan;42,7107;2,8797;\n"
    "commune-seule;;;48104\n"
    "golfe-de-guinee;0;0;\n"
    "illisible;quarante;3;\n"
    "inconnue;;;99999\n"
    "rien;;;\n"
)


def rows_of(text: str) -> dict[str, dict]:
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text), delimiter=";")}


def test_cli_writes_one_line_per_place_with_the_verdict_of_each_rule(territory_loaded, call, tmp_path):
    source = tmp_path / "lieux.csv"
    source.write_text(SAMPLE, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("locate", "--csv", str(source), "--call", call.slug, stdout=out, stderr=err)
    rows = rows_of(out.getvalue())
    assert list(rows) == ["villeurbanne", "nasbinals", "perpignan", "commune-seule", "golfe-de-guinee",
                          "illisible", "inconnue", "rien"]
    villeurbanne = rows["villeurbanne"]  # the 2019 call is judged on the 2015 list: Occitanie only
    assert (villeurbanne["commune_code"], villeurbanne["qpv_millesime"], villeurbanne["qpv_couvert"]) == (
        "69266", "2015", "non")
    assert villeurbanne["numerique:qpv_proximity"] == "À vérifier"
    assert "ne couvrent pas ce territoire" in villeurbanne["numerique:qpv_proximity:motif"]
    perpignan = rows["perpignan"]
    assert perpignan["qpv_code"].startswith("QP066")
    assert perpignan["numerique:qpv_proximity"] == "Éligible"
    assert perpignan["territoire:tiers_lieux_network"] == "Éligible"
    assert rows["commune-seule"]["approximatif"] == "oui"
    assert rows["commune-seule"]["source"] == "commune"
    assert rows["golfe-de-guinee"]["numerique:qpv_proximity"] == "Non éligible"
    assert "hors de France" in rows["golfe-de-guinee"]["remarques"]
    assert "coordonnées illisibles" in rows["illisible"]["remarques"]
    assert rows["illisible"]["numerique:qpv_proximity"] == ""
    assert "commune 99999 inconnue" in rows["inconnue"]["remarques"]
    assert "ni coordonnées, ni code INSEE, ni adresse" in rows["rien"]["remarques"]
    assert err.getvalue().startswith("8 lieux vérifiés")


def test_batch_agrees_with_one_by_one_location(territory_loaded, boundaries_loaded):
    text = "id,lat,lon\n" + "".join(f"{p['id']},{p['latitude']},{p['longitude']}\n" for p in PLACES)
    rows = rows_of(batch_check(batch_parse(text), vintage=2024).as_csv())
    for place in PLACES:
        row = rows[place["id"]]
        single = locate(latitude=float(place["latitude"]), longitude=float(place["longitude"]))
        assert row["commune_code"] == single.commune["code"] == place["commune_attendue"]
        assert row["commune_trouvee_par"] == "contour"
        assert row["qpv_code"] == single.qpv.code
        assert int(row["distance_qpv_m"]) == round(single.qpv.distance_m)
        assert row["tiers_lieux_dans_le_rayon"] == str(single.tiers_lieux.count)


def test_a_file_without_the_columns_is_refused_in_french(db, tmp_path):
    with pytest.raises(BatchError, match="Colonnes attendues : id, puis latitude et longitude"):
        batch_parse("nom,ville\nA,Lyon\n")
    with pytest.raises(BatchError, match="aucun lieu"):
        batch_parse("id,lat,lon\n")
    source = tmp_path / "vide.csv"
    source.write_text("nom\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Colonnes attendues"):
        call_command("locate", "--csv", str(source), stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="appel « inexistant » inconnu"):
        call_command("locate", "--csv", str(source), "--call", "inexistant", stdout=StringIO())


def test_addresses_are_geocoded_when_the_address_service_is_configured(territory_loaded, ban_server, settings):  # noqa: F811
    text = "id;adresse\nA;1 rue Test Villeurbanne\nB;adresse introuvable\n"
    rows = rows_of(batch_check(batch_parse(text)).as_csv())
    assert (rows["A"]["source"], rows["A"]["commune_code"], rows["A"]["dans_qpv"]) == ("adresse", "69266", "oui")
    assert "adresse introuvable dans la Base adresse nationale" in rows["B"]["remarques"]
    settings.FABRIQUES_BAN_URL = ""
    rows = rows_of(batch_check(batch_parse(text)).as_csv())
    assert "géocodage d’adresse non activé" in rows["A"]["remarques"]
