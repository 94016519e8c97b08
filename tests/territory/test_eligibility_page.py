import pytest
from django.urls import reverse

from tests.territory.test_locate import VILLEURBANNE_IN_QPV

pytestmark = pytest.mark.django_db
URL = "/territoire/eligibilite/"


def test_url_name():
    assert reverse("territory:eligibility-check") == URL


def test_empty_form_is_public(client, call):
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Vérifier l’éligibilité d’un lieu</h1>" in body
    assert 'list="territory-communes"' in body
    assert 'data-search-url="/territoire/communes/"' in body
    assert "aucune : les vérifications seront faites par l’instructeur." in body


def test_place_in_a_qpv_shows_each_rule_and_a_map(client, territory_loaded, numerique):
    response = client.get(URL, {
        "track": numerique.pk, "commune": "Villeurbanne",
        "latitude": str(VILLEURBANNE_IN_QPV[0]).replace(".", ","), "longitude": str(VILLEURBANNE_IN_QPV[1]),
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert "Villeurbanne (69266)" in body
    assert "Dans le QPV QN06901M Monod - Baratin - Cacard." in body
    assert "Forme juridique non renseignée." in body
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="territory-map__svg" viewBox="-3000 -3000 6000 6000"' in body
    assert "<title>QPV QN06901M Monod - Baratin - Cacard</title>" in body
    assert "QPV QN06901M Monod - Baratin - Cacard : le lieu est dedans" in body


def test_commune_only_is_marked_approximate(client, territory_loaded, numerique):
    body = client.get(URL, {"track": numerique.pk, "commune": "69266"}).content.decode()
    assert "Position approximative : seul le centre de la commune est connu." in body
    assert "Vérification par l’instructeur" in body


def test_unknown_commune_is_an_error_next_to_the_field_and_keeps_what_was_typed(client, communes_loaded, numerique):
    response = client.get(URL, {"track": numerique.pk, "commune": "Zzyzx-sur-Mer", "address": "3 rue du Port"})
    body = response.content.decode()
    assert "Commune introuvable : « Zzyzx-sur-Mer ». Tapez le début du nom ou le code postal" in body
    assert 'value="Zzyzx-sur-Mer"' in body
    assert 'value="3 rue du Port"' in body
    assert "Résultat pour" not in body


def test_unknown_commune_offers_communes_sharing_a_word_of_what_was_typed(client, communes_loaded, numerique):
    body = client.get(URL, {"track": numerique.pk, "commune": "Roubaixe Nord"}).content.decode()
    assert "Commune introuvable : « Roubaixe Nord »" in body
    assert "Roubaix (59) — code INSEE 59512" in body
    body = client.get(URL, {"track": numerique.pk, "commune": "Villeurbane"}).content.decode()
    assert "Communes proches de votre saisie" in body
    assert f"?track={numerique.pk}&amp;commune=69266&amp;address=" in body
    body = client.get(URL, {"track": numerique.pk, "commune": "Qqqqqq"}).content.decode()
    assert "Commune introuvable" in body
    assert "Communes proches de votre saisie" not in body


def test_ambiguous_commune_asks_to_choose_and_lists_them_as_links(client, communes_loaded, numerique):
    body = client.get(URL, {"track": numerique.pk, "commune": "Saint-Denis"}).content.decode()
    assert "Plusieurs communes correspondent : choisissez-la dans la liste ci-dessous ou saisissez son code" in body
    assert "Saint-Denis (93) — code INSEE 93066" in body
    assert "Saint-Denis (974) — code INSEE 97411" in body


def test_a_commune_as_the_list_labels_it_is_understood(client, territory_loaded, numerique):
    body = client.get(URL, {"track": numerique.pk, "commune": "Saint-Denis (974)"}).content.decode()
    assert "Résultat pour" in body
    assert "Saint-Denis (97411)" in body


def test_latitude_without_longitude_is_refused(client, communes_loaded, numerique):
    body = client.get(URL, {"track": numerique.pk, "latitude": "45,7"}).content.decode()
    assert "Indiquez la latitude et la longitude." in body


def test_out_of_range_latitude_is_refused(client, communes_loaded, numerique):
    body = client.get(URL, {"track": numerique.pk, "latitude": "145", "longitude": "4"}).content.decode()
    assert "Assurez-vous que cette valeur est inférieure ou égale à 90." in body


def test_nothing_about_the_place_is_refused(client, numerique):
    body = client.get(URL, {"track": numerique.pk}).content.decode()
    assert "Indiquez au moins la commune, l’adresse ou les coordonnées du lieu." in body


def test_page_says_when_data_is_missing(client, numerique, communes_loaded):
    body = client.get(URL, {"track": numerique.pk, "commune": "69266"}).content.decode()
    assert "Les périmètres des QPV 2024 ne sont pas chargés : la proximité sera vérifiée par l’instructeur." in body
    assert "Périmètres des QPV 2024 non chargés." in body


def test_post_is_not_allowed(client, call):
    assert client.post(URL).status_code == 405


def test_the_2019_call_outside_its_2015_perimeters_leaves_the_rule_to_the_instructor_with_the_2024_indication(
    client, territory_loaded, call
):
    """The 2019 call is judged on the 2015 list, shipped for Occitanie only: elsewhere the answer is honest."""
    track = call.tracks.get(slug="numerique")
    assert call.qpv_vintage == 2015
    body = client.get(URL, {"track": track.pk, "latitude": "45,730042", "longitude": "4,884645"}).content.decode()
    assert ("Les périmètres des QPV 2015 chargés ne couvrent pas ce territoire : la proximité sera vérifiée par "
            "l’instructeur. À titre indicatif, d’après les QPV 2024 : le lieu est dans le QPV QN06933I Mermoz.") in body
    toulouse = client.get(URL, {"track": track.pk, "commune": "31555"}).content.decode()
    assert "À titre indicatif" not in toulouse
