"""update-territory: the reference data refreshed from a real local HTTP server, all datasets or none."""

import gzip
import hashlib
import json
import random
import shutil
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fabriques.demo.builders import build_dossier
from fabriques.territory.models import Commune, DatasetImport, Qpv, TiersLieu
from fabriques.territory.refresh import SOURCES, RefreshError, territory_update
from tests.conftest import REFERENCE

pytestmark = pytest.mark.django_db

# Every dataset but the commune boundaries (48 MB of GeoJSON: tested on their own below).
POINTS_AND_PERIMETERS = ["communes", "qpv-2024", "qpv-2015", "tiers-lieux"]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def mirror(tmp_path):
    """A copy of the shipped reference folder served over HTTP on 127.0.0.1: (folder, base URL, paths requested)."""
    folder = tmp_path / "mirror"
    shutil.copytree(REFERENCE, folder)
    requested = []

    class Handler(QuietHandler):
        def do_GET(self):
            requested.append(self.path)
            super().do_GET()

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_port}", requested
    server.shutdown()
    server.server_close()


def _rewrite_gz(path, transform):
    data = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(transform(data), mtime=0))


def _publish_sums(folder):
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(folder).as_posix()}"
             for p in sorted(folder.rglob("*.gz"))]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _qpv2015_changed(data: bytes) -> bytes:
    """Two QPV removed, one renamed, one added (a copy of another perimeter under a new code)."""
    collection = json.loads(data)
    features = collection["features"]
    removed = features[:2]
    kept = features[2:]
    kept[0]["properties"]["nom_qp"] = "Quartier renommé"
    added = json.loads(json.dumps(kept[1]))
    added["properties"]["code_qp"] = "QP031999"
    collection["features"] = [*kept, added]
    assert {f["properties"]["code_qp"] for f in removed}.isdisjoint({"QP031999"})
    return json.dumps(collection).encode()


def test_update_from_a_mirror_imports_the_changes_and_reports_them(territory_loaded, mirror):
    folder, base, requested = mirror
    _rewrite_gz(folder / SOURCES["qpv-2015"].shipped, _qpv2015_changed)
    _publish_sums(folder)
    before = dict(Qpv.objects.filter(vintage=2015).values_list("code", "name"))
    out = StringIO()
    call_command("update_territory", *POINTS_AND_PERIMETERS, "--base-url", base, stdout=out)
    text = out.getvalue()
    after = dict(Qpv.objects.filter(vintage=2015).values_list("code", "name"))
    assert len(after) == len(before) - 2 + 1
    assert "QP031999" in after
    assert "qpv-2015 : qpv2015_occitanie_hackaviz2021.geojson.gz — lues 104, chargées 104" in text
    assert "  ajouts : 1 — QP031999" in text
    assert "  retraits (fusion, suppression ou sortie de la liste) : 2 — " in text
    assert "  renommages : 1 — " in text
    assert "→ Quartier renommé" in text
    # The three unchanged files are recognised by their content and left alone.
    assert text.count("déjà à jour") == 3
    assert "/SHA256SUMS" in requested
    assert sorted(p for p in requested if p.endswith(".gz")) == sorted(f"/{SOURCES[d].shipped}"
                                                                       for d in POINTS_AND_PERIMETERS)


def test_a_corrupt_file_is_refused_in_french_and_nothing_changes(territory_loaded, mirror):
    folder, base, _ = mirror
    # Communes really changed (one renamed) but the QPV file is truncated: neither may be imported.
    _rewrite_gz(folder / SOURCES["communes"].shipped,
                lambda data: data.replace(b",Lyon,", b",Lyon-sur-Rhone,", 1))
    qpv = folder / SOURCES["qpv-2024"].shipped
    qpv.write_bytes(qpv.read_bytes()[: qpv.stat().st_size // 2])
    imports = DatasetImport.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("update_territory", *POINTS_AND_PERIMETERS, "--base-url", base, stdout=StringIO())
    message = str(refused.value)
    assert "mise à jour refusée, les données précédentes sont conservées" in message
    assert "qpv2024_anct_simplified.geojson.gz : fichier compressé illisible ou tronqué (gzip)" in message
    assert Commune.objects.get(code="69123").name == "Lyon"
    assert Qpv.objects.filter(vintage=2024).count() == 1609
    assert DatasetImport.objects.count() == imports


def test_a_file_that_does_not_match_the_published_checksum_is_refused(territory_loaded, mirror):
    folder, base, _ = mirror
    _publish_sums(folder)
    _rewrite_gz(folder / SOURCES["tiers-lieux"].shipped, lambda data: data.replace(b"Coworking", b"Cowork", 1))
    with pytest.raises(RefreshError, match=r"cget_tiers_lieux_2019.csv.gz : empreinte SHA-256 .* différente"):
        territory_update(base_url=base, datasets=POINTS_AND_PERIMETERS)
    assert TiersLieu.objects.count() == 1512


def test_the_official_zip_archive_is_read_from_its_member(territory_loaded, mirror, tmp_path):
    """ANCT publishes a ZIP with the national WGS84 GeoJSON inside: the same content is recognised as up to date."""
    folder, base, _ = mirror
    source = SOURCES["qpv-2024"]
    archive = folder / "qpv-archive.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("LISEZMOI.txt", "archive d’essai")
        bundle.writestr(source.zip_member, gzip.decompress((REFERENCE / source.shipped).read_bytes()))
    changes = territory_update(datasets=["qpv-2024"], urls={"qpv-2024": f"{base}/qpv-archive.zip"})
    assert [c.lines() for c in changes] == [["qpv-2024 : déjà à jour (QP2024_France_Hexagonale_Outre_Mer_WGS84"
                                             ".geojson, même contenu)."]]


def test_an_unreachable_source_is_a_clear_refusal(db):
    with pytest.raises(RefreshError, match=r"127.0.0.1:9/x.csv : téléchargement impossible"):
        territory_update(datasets=["tiers-lieux"], urls={"tiers-lieux": "http://127.0.0.1:9/x.csv"}, timeout=2)


def test_update_from_a_local_folder_takes_uncompressed_files_too(territory_loaded, tmp_path):
    (tmp_path / "tiers_lieux").mkdir()
    data = gzip.decompress((REFERENCE / SOURCES["tiers-lieux"].shipped).read_bytes())
    lines = data.split(b"\n")
    (tmp_path / "tiers_lieux" / "cget_tiers_lieux_2019.csv").write_bytes(b"\n".join([*lines[:-3], b""]))
    out = StringIO()
    call_command("update_territory", "tiers-lieux", "--from", str(tmp_path), stdout=out)
    assert TiersLieu.objects.count() == 1512 - 2
    assert "  retraits (fusion, suppression ou sortie de la liste) : 2 — " in out.getvalue()


def test_a_deposited_dossier_keeps_its_eligibility_and_names_the_data_it_used(territory_loaded, open_wave, make_user,
                                                                               mirror, client):
    folder, base, _ = mirror
    owner = make_user("porteur@example.org")
    toulouse = Commune.objects.get(code="31555")
    qpv = Qpv.objects.filter(vintage=2015, commune_codes__contains="31555").order_by("code").first()
    track = open_wave.call.tracks.get(slug="numerique")
    built = build_dossier(wave=open_wave, track=track, owner=owner, commune=toulouse, rng=random.Random(3),
                          place_name="La Fabrique du quartier", latitude=(qpv.min_lat + qpv.max_lat) / 2,
                          longitude=(qpv.min_lon + qpv.max_lon) / 2)
    dossier = built.dossier
    stored = dossier.eligibility_report
    assert stored["datasets"][1] == {
        "dataset": "qpv-2015", "label": "Quartiers prioritaires 2015 (codes QP…)",
        "file_name": "qpv2015_occitanie_hackaviz2021.geojson.gz", "imported_on": stored["datasets"][1]["imported_on"],
    }
    # Every 2015 perimeter of Toulouse disappears from the refreshed file.
    _rewrite_gz(folder / SOURCES["qpv-2015"].shipped, lambda data: json.dumps({
        "type": "FeatureCollection",
        "features": [f for f in json.loads(data)["features"] if f["properties"]["code_commune"] != "31555"],
    }).encode())
    territory_update(base_url=base, datasets=["qpv-2015"])
    assert not Qpv.objects.filter(vintage=2015, code=qpv.code).exists()
    dossier.refresh_from_db()
    assert dossier.eligibility_report == stored
    client.force_login(owner)
    page = client.get(f"/dossiers/{dossier.uuid}/verification/")
    assert page.status_code == 200
    assert "Calculé avec : Communes (COG) avec un point par commune (communes_2022_centroids.csv.gz" in page.text


def test_the_commune_boundaries_in_two_parts_are_refreshed_together(boundaries_loaded, mirror):
    folder, base, requested = mirror
    _publish_sums(folder)
    changes = territory_update(base_url=base, datasets=["communes-contours"])
    assert [c.report.unchanged for c in changes] == [True]
    parts = SOURCES["communes-contours"].files
    assert sorted(p for p in requested if p.endswith(".gz")) == sorted(f"/{f}" for f in parts)
    with pytest.raises(RefreshError, match="communes-contours : plusieurs fichiers ; utilisez --base-url ou --from"):
        territory_update(datasets=["communes-contours"], urls={"communes-contours": f"{base}/x.geojson.gz"})
