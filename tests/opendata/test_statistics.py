"""Programme statistics: exact figures per wave, track and région, constant queries, programme team only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabriques.opendata.stats import call_stats

pytestmark = pytest.mark.django_db


def by_key(lines):
    return {line.key: line for line in lines}


def test_figures_count_each_step_and_amounts(world):
    requested = sum(d.amount_requested_eur for d in (world.laureate, world.other_occ, world.lyon))

    stats = call_stats(world.call)

    total = stats.total
    assert (total.started, total.deposited, total.admissible, total.laureates) == (3, 3, 1, 1)
    assert (total.requested_eur, total.granted_eur) == (requested, 50_000)
    regions = by_key(stats.by_region)
    assert (regions["76"].label, regions["76"].deposited, regions["76"].laureates) == ("Occitanie", 2, 1)
    assert (regions["84"].deposited, regions["84"].laureates) == (1, 0)
    tracks = by_key(stats.by_track)
    assert (tracks["territoire"].deposited, tracks["numerique"].deposited) == (2, 1)
    assert by_key(stats.by_wave)[world.wave.slug].granted_eur == 50_000
    assert total.median_days is not None
    assert total.median_days >= 0


def test_rural_and_qpv_shares_follow_the_instruction_classification_against_targets(world):
    from fabriques.instruction.routing import territory_class_set

    territory_class_set(dossier=world.laureate, is_rural=True, is_qpv=False, by=world.admin)

    stats = call_stats(world.call)

    assert (stats.total.rural_share, stats.total.qpv_share) == (1.0, 0.0)
    targets = {t.label: (t.value, t.achieved) for t in stats.targets}
    assert targets["150 Fabriques hors des grands pôles urbains"] == (150, 1)
    assert targets["150 Fabriques en QPV"] == (150, 0)


def test_statistics_page_query_count_does_not_grow_with_dossiers(client, world, build):
    client.force_login(world.admin)
    url = reverse("opendata:statistics", args=[world.call.slug])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        build(world.communes["gueret"], "numerique")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert "Nouvelle-Aquitaine" in response.content.decode()
    assert len(many) == len(few)


@pytest.mark.parametrize(("who", "status"), [
    (None, 302), ("applicant", 403), ("other_applicant", 403), ("instructor", 403),
    ("other_instructor", 403), ("evaluator", 403), ("committee", 200), ("admin", 200),
])
def test_statistics_are_for_the_programme_team(client, world, who, status):
    if who:
        client.force_login(getattr(world, who))

    assert client.get(reverse("opendata:statistics", args=[world.call.slug])).status_code == status
    index = client.get(reverse("opendata:statistics-index"))
    assert index.status_code == (302 if status in (200, 302) else status)


def test_each_chart_has_a_data_table_with_the_same_values(client, world):
    client.force_login(world.committee)

    html = client.get(reverse("opendata:statistics", args=[world.call.slug])).content.decode()

    assert html.count("<svg role=\"img\"") == 4
    assert html.count("<caption>Dossiers déposés par région</caption>") == 1
    assert "<th scope=\"row\">Occitanie</th><td>2</td>" in html
    assert "style=" not in html.split("<main", 1)[-1]
