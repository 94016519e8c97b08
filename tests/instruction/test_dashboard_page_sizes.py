"""Rows per page on the agents' dashboard: 50, 100, 250 or every row (streamed), remembered per agent."""

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from fabriques.instruction.models import DashboardPreference
from fabriques.theme import streaming

pytestmark = pytest.mark.django_db

URL = "/instruction/"
ALL_COLUMNS = ["reference", "place", "organisation", "track", "wave", "region", "commune", "state", "eligibility",
               "completeness", "group", "assigned", "amount", "evaluations", "score", "calibrated", "spread",
               "deposited"]


def _streamed(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_the_page_size_is_chosen_and_remembered(client, build, communes, admin_user):
    for _ in range(3):
        build(communes["toulouse"])
    client.force_login(admin_user)

    assert client.get(URL).context["page"].paginator.per_page == 50
    assert client.get(URL, {"taille": "100"}).context["page"].paginator.per_page == 100
    assert DashboardPreference.objects.get(user=admin_user).page_size == "100"
    # Remembered: the next visit without the parameter keeps 100; an unknown size is ignored and changes nothing.
    assert client.get(URL).context["page"].paginator.per_page == 100
    assert client.get(URL, {"taille": "100000"}).context["page"].paginator.per_page == 100
    assert client.get(URL, {"taille": "250"}).context["page"].paginator.per_page == 250
    assert DashboardPreference.objects.get(user=admin_user).page_size == "250"


def test_the_page_size_is_kept_beside_the_column_choice(client, admin_user):
    client.force_login(admin_user)
    client.post("/instruction/colonnes/", {"columns": ["reference", "score"]})
    client.get(URL, {"taille": "all"})

    pref = DashboardPreference.objects.get(user=admin_user)
    assert (pref.columns, pref.page_size) == (["reference", "score"], "all")
    client.post("/instruction/colonnes/", {"columns": ["reference", "state"]})
    assert DashboardPreference.objects.get(user=admin_user).page_size == "all"


def test_every_row_streams_in_the_dashboard_order_with_its_wave_heading(client, build, communes, admin_user,
                                                                      monkeypatch):
    monkeypatch.setattr(streaming, "ROWS_CHUNK", 2)  # several chunks with a handful of rows
    built = [build(communes[name]) for name in ("toulouse", "lyon", "montpellier", "gueret", "toulouse")]
    client.force_login(admin_user)

    html = _streamed(client.get(URL, {"taille": "all", "sort": "reference"}))

    references = sorted(d.reference for d in built)
    positions = [html.index(ref) for ref in references]
    assert positions == sorted(positions)  # every row, in the chosen order, across chunks
    assert html.count('class="fab-wave-group"') == 1  # one wave: one heading, not one per chunk
    assert "5 dossiers correspondent" in html
    assert "fab-all-rows" in html
    assert "Page suivante" not in html
    assert html.rstrip().endswith("</html>")


def test_every_row_with_no_match_says_so(client, admin_user):
    client.force_login(admin_user)

    html = _streamed(client.get(URL, {"taille": "all", "q": "aucun dossier de ce nom"}))

    assert "Aucun dossier ne correspond." in html


def test_an_instructor_streams_only_their_groups_dossiers(client, build, communes, occitanie):
    mine, other = build(communes["toulouse"]), build(communes["lyon"])
    client.force_login(occitanie["instructor"])

    html = _streamed(client.get(URL, {"taille": "all"}))

    assert mine.reference in html
    assert other.reference not in html


def test_every_row_keeps_a_constant_number_of_queries(client, build, communes, admin_user, monkeypatch):
    monkeypatch.setattr(streaming, "ROWS_CHUNK", 2)
    client.force_login(admin_user)
    client.post("/instruction/colonnes/", {"columns": ALL_COLUMNS})
    client.get(URL, {"taille": "all"})
    build(communes["toulouse"])

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries_run:
            html = _streamed(client.get(URL))  # consumed inside the context: the rows are read while streaming
        return len(queries_run), html

    one, html_one = count()
    for name in ("lyon", "montpellier", "gueret", "toulouse", "lyon", "montpellier"):
        build(communes[name])
    seven, html_seven = count()

    assert html_one.count("<tr>") + 6 == html_seven.count("<tr>")
    assert one == seven
