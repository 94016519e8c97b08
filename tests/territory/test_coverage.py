"""Where a QPV vintage does not cover a place, or a place is not in France, every answer says so."""

import pytest
from django.urls import reverse

from fabriques.territory.eligibility import eligibility_report
from fabriques.territory.locate import locate

pytestmark = pytest.mark.django_db

VILLENEUVE_LES_AVIGNON = (43.9667, 4.7964)  # Gard (Occitanie), across the Rhône from Avignon (Provence)
MONTPELLIER_FAR_FROM_THE_BORDER = (43.6330, 3.8430)


def qpv_result(report):
    return next(r for r in report.results if r.kind == "qpv_proximity")


def test_near_the_edge_of_a_regional_file_a_fail_becomes_a_manual_check(territory_loaded, call):
    """The 2015 list is Occitanie only: Avignon's QPV (Provence) are missing, so « too far » cannot be claimed."""
    track = call.tracks.get(slug="numerique")
    location = locate(latitude=VILLENEUVE_LES_AVIGNON[0], longitude=VILLENEUVE_LES_AVIGNON[1], qpv_vintage=2015)
    assert location.qpv.covered is True
    assert location.qpv.distance_m > 500
    assert location.qpv.uncovered_within_m < 500
    result = qpv_result(eligibility_report(track=track, latitude=VILLENEUVE_LES_AVIGNON[0],
                                           longitude=VILLENEUVE_LES_AVIGNON[1]))
    assert result.status == "manual"
    assert "d’un territoire que ces périmètres 2015 ne couvrent pas" in result.reason
    inland = locate(latitude=MONTPELLIER_FAR_FROM_THE_BORDER[0], longitude=MONTPELLIER_FAR_FROM_THE_BORDER[1],
                    qpv_vintage=2015)
    assert inland.qpv.uncovered_within_m > 500


def test_the_eligibility_page_says_a_point_is_outside_france(client, territory_loaded, call):
    track = call.tracks.get(slug="numerique")
    body = client.get(reverse("territory:eligibility-check"),
                      {"track": track.pk, "latitude": "0", "longitude": "0"}).content.decode()
    assert "est hors de France : ni en métropole, ni en Corse, ni dans un territoire d’outre-mer" in body
