"""The committee's session and decisions pages at any number of candidates (issue 21): a page of rows at a time
(50, 100, 250 or « Tous » streamed), ranks and totals over every candidate, a fixed number of SQL statements."""

import re

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fabriques.committee import domain, queries
from fabriques.committee.enums import Outcome
from fabriques.committee.models import Decision, ScenarioPin
from fabriques.evaluation.models import DossierScore
from fabriques.formatting import euros
from fabriques.theme import streaming
from tests.committee_flow.conftest import more_candidates

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r'<a href="/comite/dossiers/[0-9a-f-]+/">([^<]+)</a>')


def _get(client, url, **params):
    """The page's HTML (streamed or not) and the SQL statements it took."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        assert response.status_code == 200
        body = (b"".join(response.streaming_content) if isinstance(response, StreamingHttpResponse)
                else response.content).decode()
    return body, len(captured)


def _session_url(wave):
    return reverse("committee:session", args=[wave.call.slug, wave.slug])


def _decisions_url(wave):
    return reverse("committee:decisions", args=[wave.call.slug, wave.slug])


def test_the_session_page_takes_the_same_statements_for_8_or_128_candidates(evaluated_wave, solved_scenario, people,
                                                                             client, monkeypatch):
    monkeypatch.setattr(streaming, "ROWS_CHUNK", 16)  # « Tous » in several chunks
    client.force_login(people["committee"])
    url = _session_url(evaluated_wave)
    _get(client, url, taille="all")  # the agent's remembered choice exists: each request below changes it
    small, small_count = _get(client, url, scenario=solved_scenario.pk, taille="50")
    small_all, small_all_count = _get(client, url, scenario=solved_scenario.pk, taille="all")

    more_candidates(evaluated_wave, 120)
    large, large_count = _get(client, url, scenario=solved_scenario.pk, taille="50")
    large_all, large_all_count = _get(client, url, scenario=solved_scenario.pk, taille="all")

    assert (small_count, small_all_count) == (large_count, large_all_count)
    assert len(REFERENCE.findall(small)) == 8
    assert len(REFERENCE.findall(large)) == 50  # the first page
    assert "128 dossiers évalués" in large
    assert "1 / 3" in large
    assert "Dossiers 1 à 50 sur 128." in large
    assert "Page suivante" in large
    assert len(REFERENCE.findall(large_all)) == 128
    assert large_all.count("<summary>Ajuster ") == 128  # the pin and amount forms on every row, in every chunk
    assert "Page suivante" not in large_all
    assert large_all.rstrip().endswith("</html>")
    assert len(REFERENCE.findall(small_all)) == 8


def test_ranks_run_on_across_pages_and_the_funding_line_counts_every_candidate(evaluated_wave, solved_scenario):
    more_candidates(evaluated_wave, 120)
    pages = [queries.session(evaluated_wave, solved_scenario, page_size="50", page_number=n) for n in (1, 2, 3)]
    every = list(queries.session(evaluated_wave, solved_scenario, page_size="all").rows)

    paged = [row for page in pages for row in page.rows]
    assert [(r.rank, r.dossier.pk) for r in paged] == [(r.rank, r.dossier.pk) for r in every]
    assert [r.rank for r in every] == list(range(1, 129))
    assert pages[1].rows[0].rank == 51
    # The order the committee has always seen: best score first, unscored last, ties by id.
    scores = {s.dossier_id: s for s in DossierScore.objects.filter(dossier__wave=evaluated_wave)}

    def main(pk):
        s = scores.get(pk)
        return None if s is None else (s.calibrated if s.calibrated is not None else s.weighted)

    expected = sorted((r.dossier.pk for r in every), key=lambda pk: (main(pk) is None, -(main(pk) or 0), pk))
    assert [r.dossier.pk for r in every] == expected
    # Totals over every candidate, whatever the page: the funding line is the lowest score chosen.
    chosen = {int(i) for i in solved_scenario.result["chosen"]}
    line = min(main(pk) for pk in chosen if main(pk) is not None)
    crossing = sum(1 for s in scores.values() if s.band_low is not None and s.band_low <= line <= s.band_high)
    for page in pages:
        assert (page.count, page.funding_line, page.crossing) == (128, line, crossing)
    assert sum(row.chosen for row in every) == len(chosen)
    assert next(r for r in every if r.pin).pin.kind == "force_out"


def test_a_choice_made_on_page_two_comes_back_to_page_two(evaluated_wave, solved_scenario, people, client):
    more_candidates(evaluated_wave, 120)
    client.force_login(people["committee"])
    second_page = queries.session(evaluated_wave, solved_scenario, page_size="50", page_number=2).rows
    dossier = second_page[0].dossier
    params = {"scenario": solved_scenario.pk, "taille": "50", "page": "2"}
    html = client.get(_session_url(evaluated_wave), params).content
    action = reverse("committee:scenario-dossier", args=[evaluated_wave.call.slug, evaluated_wave.slug,
                                                          solved_scenario.pk, dossier.uuid])
    assert f'action="{action}?taille=50&amp;page=2"'.encode() in html

    response = client.post(f"{action}?taille=50&page=2", {"pin": "force_in", "reason": "Seul lieu du canton"})

    assert response.status_code == 302
    assert response.url == f"{_session_url(evaluated_wave)}?scenario={solved_scenario.pk}&taille=50&page=2"
    assert ScenarioPin.objects.get(scenario=solved_scenario, dossier=dossier).kind == "force_in"
    refused = client.post(f"{action}?taille=50&page=2", {"pin": "force_in", "reason": ""})
    assert refused.status_code == 400
    assert f'id="adjust-{dossier.pk}" open'.encode() in refused.content  # the same page, the row's form open
    streamed = client.post(f"{action}?taille=all", {"pin": "force_in", "reason": ""})
    assert (streamed.status_code, streamed.streaming) == (400, True)
    body = b"".join(streamed.streaming_content).decode()
    assert f'id="adjust-{dossier.pk}" open' in body
    assert f'action="{action}?taille=all"' in body


def test_the_decisions_page_takes_the_same_statements_for_8_or_128_decisions(evaluated_wave, solved_scenario, people,
                                                                             client, monkeypatch):
    monkeypatch.setattr(streaming, "ROWS_CHUNK", 16)
    domain.decisions_stage(scenario=solved_scenario, by=people["committee"])
    client.force_login(people["admin"])
    url = _decisions_url(evaluated_wave)
    _get(client, url, taille="all")  # the agent's remembered choice exists: each request below changes it
    small, small_count = _get(client, url, taille="50")
    small_all, small_all_count = _get(client, url, taille="all")
    assert len(re.findall(r'<h2 class="fr-h5" id="decision-', small_all)) == 8

    made = more_candidates(evaluated_wave, 120)
    Decision.objects.bulk_create([
        Decision(dossier=d, outcome=Outcome.LAUREATE if i % 3 == 0 else Outcome.NOT_RETAINED,
                 amount_eur=10_000 if i % 3 == 0 else None, reasons=f"Motifs {i}", staged_by=people["committee"],
                 staged_at=timezone.now())
        for i, d in enumerate(made)
    ])
    large, large_count = _get(client, url, taille="50")
    large_all, large_all_count = _get(client, url, taille="all")

    assert (small_count, small_all_count) == (large_count, large_all_count)
    sections = re.compile(r'<h2 class="fr-h5" id="decision-\d+">([^ ]+) ')
    assert len(sections.findall(small)) == 8
    assert len(sections.findall(large)) == 50
    assert "Décisions 1 à 50 sur 128." in large
    assert len(sections.findall(large_all)) == 128
    granted = sum(d.amount_eur or 0 for d in Decision.objects.filter(dossier__wave=evaluated_wave,
                                                                     outcome=Outcome.LAUREATE))
    assert "Appliquer les 128 décisions" in large  # every staged decision, not the page's
    assert "128 décisions en attente d’application" in large
    assert f"<strong>{euros(granted)}</strong>" in large
    # Laureates first, then the waiting list by rank, then the others, by reference: the same on every page.
    order = {Outcome.LAUREATE: 0, Outcome.WAITING_LIST: 1, Outcome.NOT_RETAINED: 2}
    rows = sorted(Decision.objects.filter(dossier__wave=evaluated_wave).select_related("dossier"),
                  key=lambda d: (order[d.outcome], d.waiting_rank or 0, d.dossier.reference, d.pk))
    assert sections.findall(large_all) == [d.dossier.reference for d in rows]


def test_a_decision_edited_on_page_two_comes_back_to_page_two(evaluated_wave, solved_scenario, people, client):
    domain.decisions_stage(scenario=solved_scenario, by=people["committee"])
    client.force_login(people["committee"])
    decision = Decision.objects.filter(dossier__wave=evaluated_wave).first()
    url = f"{_decisions_url(evaluated_wave)}?taille=50&page=2"

    response = client.post(url, {"decision": decision.pk, "outcome": Outcome.NOT_RETAINED, "amount_eur": "",
                                 "reasons": "Motifs relus."})

    assert response.status_code == 302
    assert response.url == url


def test_the_rows_per_page_chosen_once_are_kept_on_the_committee_pages_and_the_dashboard(evaluated_wave, people,
                                                                                        solved_scenario, client):
    domain.decisions_stage(scenario=solved_scenario, by=people["committee"])
    selected = re.compile(r'name="taille">\s*(?:<option value="[a-z0-9]+">[^<]*</option>)*'
                          r'<option value="([a-z0-9]+)" selected>')
    dashboard = reverse("instruction:dashboard")
    client.force_login(people["admin"])
    assert selected.findall(client.get(_decisions_url(evaluated_wave)).content.decode()) == ["50"]

    assert selected.findall(client.get(_session_url(evaluated_wave), {"taille": "100"}).content.decode()) == ["100"]

    assert selected.findall(client.get(_decisions_url(evaluated_wave)).content.decode()) == ["100"]
    assert selected.findall(client.get(dashboard).content.decode()) == ["100"]
    client.get(dashboard, {"taille": "250"})
    assert selected.findall(client.get(_session_url(evaluated_wave)).content.decode()) == ["250"]
    client.force_login(people["committee"])  # one agent's choice is theirs only
    assert selected.findall(client.get(_session_url(evaluated_wave)).content.decode()) == ["50"]


def test_the_letters_tab_shows_on_the_session_page_for_admins_only(evaluated_wave, people, client):
    outbox = reverse("committee:outbox", args=[evaluated_wave.call.slug, evaluated_wave.slug])
    for who, shown in (("admin", True), ("committee", False)):
        client.force_login(people[who])
        for url in (_session_url(evaluated_wave), _decisions_url(evaluated_wave)):
            assert (f'href="{outbox}"' in client.get(url).content.decode()) is shown, (who, url)


def test_odd_page_numbers_and_sizes_show_a_page_never_an_error(evaluated_wave, solved_scenario, people, client):
    client.force_login(people["admin"])
    for url in (_session_url(evaluated_wave), _decisions_url(evaluated_wave)):
        for params in ({"page": "abc"}, {"page": "-5"}, {"page": "1" + "0" * 30}, {"page": "2\x00"},
                       {"taille": "100000"}, {"taille": "<b>"}, {"taille": "all", "page": "7"}):
            response = client.get(url, params)
            assert response.status_code == 200, (url, params)
            body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
            assert "<b>" not in body.split("<main", 1)[-1], (url, params)
