"""The offline map: laureates for all, dossiers for the agents who may see them, QPV and census layers, filters."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def page(client, **params):
    return client.get(reverse("opendata:map"), params).content.decode()


def rows(html):
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr><td>([^<]*)</td>", table)


@pytest.mark.parametrize(("who", "extra"), [
    (None, set()), ("applicant", set()), ("other_applicant", set()), ("evaluator", set()),
    ("instructor", {"other_occ"}), ("other_instructor", {"lyon"}),
    ("committee", {"other_occ", "lyon"}), ("admin", {"other_occ", "lyon"}),
])
def test_everyone_sees_laureates_and_agents_also_their_dossiers(client, world, who, extra):
    if who:
        client.force_login(getattr(world, who))

    listed = rows(page(client))

    expected = {world.laureate.place_name} | {f"{getattr(world, n).reference} — {getattr(world, n).place_name}"
                                               for n in extra}
    assert set(listed) == expected


def test_region_filter_keeps_only_its_points(client, world):
    client.force_login(world.admin)

    listed = rows(page(client, region="84"))

    assert listed == [f"{world.lyon.reference} — {world.lyon.place_name}"]


def test_map_draws_qpv_perimeters_and_census_points_offline(client, world, territory_loaded):
    html = page(client, region="76")

    svg = html.split('<svg role="img"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("<path d=") > 10
    assert svg.count('r="1.3"') > 10
    [laureate] = re.findall(r'<circle cx="([0-9.]+)" cy="([0-9.]+)" r="5">', svg)  # the laureate in Toulouse
    assert 100 < float(laureate[0]) < 700
    assert float(laureate[1]) > 100
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert "style=" not in html.split("<main", 1)[-1]


def test_map_query_count_does_not_grow_with_dossiers(client, world, build):
    client.force_login(world.admin)
    with CaptureQueriesContext(connection) as few:
        page(client)
    for _ in range(4):
        build(world.communes["gueret"], "numerique")
    with CaptureQueriesContext(connection) as many:
        html = page(client)

    assert len(rows(html)) == 7
    assert len(many) == len(few)
