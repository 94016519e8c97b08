import pytest
from django.template import Context, Template

from fabriques.territory.locate import locate
from fabriques.territory.maps import place_map
from tests.territory.test_locate import NASBINALS, VILLEURBANNE_IN_QPV

pytestmark = pytest.mark.django_db


def render(location) -> str:
    return Template("{% load territory_maps %}{% territory_map location %}").render(Context({"location": location}))


def test_map_shows_the_qpv_around_and_the_tiers_lieux_with_a_text_alternative(territory_loaded):
    location = locate(latitude=VILLEURBANNE_IN_QPV[0], longitude=VILLEURBANNE_IN_QPV[1])
    html = render(location)
    assert 'viewBox="-3000 -3000 6000 6000"' in html
    assert "<title>QPV QN06901M Monod - Baratin - Cacard</title>" in html
    assert "<li>QPV QN06901M Monod - Baratin - Cacard : le lieu est dedans</li>" in html
    assert ">1 km</text>" in html
    assert 'role="img"' in html
    assert "Carte sans fond de plan" in html


def test_map_geometry_is_in_metres_around_the_place(territory_loaded):
    data = locate(latitude=VILLEURBANNE_IN_QPV[0], longitude=VILLEURBANNE_IN_QPV[1]).as_dict()
    drawn = place_map(data)
    inside = next(s for s in drawn.qpv if s.code == "QN06901M")
    assert inside.contains_place
    assert inside.distance_m == 0
    numbers = [abs(float(v)) for v in inside.path.replace("M", " ").replace("L", " ").replace("Z", " ").split()]
    assert max(numbers) < 3000  # this QPV is about 1 km across: all its vertices are within the frame
    assert all(p.distance_m <= 3000 * 1.5 for p in drawn.tiers_lieux)


def test_map_of_a_far_place_has_no_qpv_and_says_so(territory_loaded):
    html = render(locate(latitude=NASBINALS[0], longitude=NASBINALS[1]))
    assert "<li>Aucun QPV 2024.</li>" in html


def test_map_of_a_commune_point_is_marked_approximate(territory_loaded):
    html = render(locate(commune_code="69266").as_dict())
    assert "Position approximative (centre de la commune)." in html
    assert 'stroke-dasharray="6 4"' in html


def test_map_without_coordinates_says_it_is_unavailable(db):
    assert "Carte indisponible : le lieu n’est pas localisé." in render(None)
