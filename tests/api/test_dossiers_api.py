"""The agents' API: bearer tokens scoped to calls, visibility per role, pagination, rate limits, errors."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fabriques.apitokens.domain import token_revoke
from fabriques.apitokens.models import ApiToken

pytestmark = pytest.mark.django_db


def get(client, url, raw=None):
    headers = {"Authorization": f"Bearer {raw}"} if raw else {}
    return client.get(url, headers=headers)


def uuids(response):
    return {item["uuid"] for item in response.json()["items"]}


def test_no_token_gives_401_with_a_french_error_body(client, world):
    response = get(client, "/api/v1/dossiers")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.json()["message"].startswith("Jeton absent, inconnu, expiré ou révoqué")


def test_unknown_expired_and_revoked_tokens_give_401(client, world, make_token):
    unknown = "fab_" + "x" * 43
    expired = make_token(world.admin, calls=[world.call])
    ApiToken.objects.filter(owner=world.admin).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    revoked = make_token(world.admin, calls=[world.call])
    token_revoke(token=ApiToken.objects.get(owner=world.admin, expires_at__gt=timezone.now()), by=world.admin)

    for raw in (unknown, expired, revoked):
        assert get(client, "/api/v1/dossiers", raw).status_code == 401


def test_only_the_hash_of_a_token_is_stored(world, make_token):
    raw = make_token(world.admin, calls=[world.call])

    token = ApiToken.objects.get(owner=world.admin)
    assert raw not in (token.token_hash, token.prefix)
    assert len(token.token_hash) == 64
    assert raw.startswith(token.prefix)


@pytest.mark.parametrize(("who", "expected"), [
    ("admin", {"laureate", "other_occ", "lyon"}),
    ("committee", {"laureate", "other_occ", "lyon"}),
    ("instructor", {"laureate", "other_occ"}),
    ("other_instructor", {"lyon"}),
    ("evaluator", set()),
    ("applicant", set()),
])
def test_each_role_lists_exactly_the_dossiers_it_may_see(client, world, make_token, who, expected):
    raw = make_token(getattr(world, who), calls=[world.call])

    response = get(client, "/api/v1/dossiers", raw)

    assert response.status_code == 200
    assert uuids(response) == {str(getattr(world, name).uuid) for name in expected}


def test_token_on_another_call_sees_nothing_of_this_call(client, world, make_token, other_call):
    from fabriques.accounts.domain import role_grant
    from fabriques.accounts.enums import Role

    role_grant(user=world.admin, call=other_call, role=Role.ADMIN)
    raw = make_token(world.admin, calls=[other_call])

    assert uuids(get(client, "/api/v1/dossiers", raw)) == set()
    assert get(client, f"/api/v1/dossiers/{world.laureate.uuid}", raw).status_code == 404
    forbidden = get(client, f"/api/v1/dossiers?call={world.call.slug}", raw)
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "call_out_of_scope"


def test_instructor_cannot_read_a_dossier_of_another_group_nor_evaluations(client, world, make_token):
    raw = make_token(world.instructor, calls=[world.call])

    assert get(client, f"/api/v1/dossiers/{world.lyon.uuid}", raw).status_code == 404
    assert get(client, f"/api/v1/dossiers/{world.laureate.uuid}", raw).status_code == 200
    response = get(client, f"/api/v1/dossiers/{world.laureate.uuid}/evaluations", raw)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_dossier_detail_gives_answers_budget_and_attachments(client, world, make_token):
    raw = make_token(world.admin, calls=[world.call])

    data = get(client, f"/api/v1/dossiers/{world.laureate.uuid}", raw).json()

    assert data["reference"] == world.laureate.reference
    assert data["state"] == "laureate"
    assert data["commune_code"] == "31555"
    assert data["region_code"] == "76"
    assert len(data["answers"]) == world.laureate.answers.count() > 0
    assert sum(line["amount_eur"] for line in data["budget"]) == sum(
        world.laureate.budget_lines.values_list("amount_eur", flat=True))
    assert len(data["attachments"]) == world.laureate.attachments.count()


def test_committee_reads_scores_per_criterion_and_the_applied_decision(client, world, make_token):
    raw = make_token(world.committee, calls=[world.call])

    evaluations = get(client, f"/api/v1/dossiers/{world.laureate.uuid}/evaluations", raw).json()
    decision = get(client, f"/api/v1/dossiers/{world.laureate.uuid}/decision", raw).json()

    [evaluation] = evaluations["evaluations"]
    assert evaluation["evaluator"] == world.evaluator.pk
    assert {s["value"] for s in evaluation["scores"]} == {3.5}
    assert len(evaluation["scores"]) == world.laureate.track.criteria.count()
    assert evaluations["weighted"] == 3.5
    assert decision == {"outcome": "laureate", "outcome_label": "Lauréat", "amount_eur": 50000,
                        "waiting_rank": None, "applied": True, "applied_at": decision["applied_at"]}
    assert get(client, f"/api/v1/dossiers/{world.other_occ.uuid}/decision", raw).status_code == 404


def test_filters_by_state_track_and_region(client, world, make_token):
    raw = make_token(world.admin, calls=[world.call])

    assert uuids(get(client, "/api/v1/dossiers?state=laureate", raw)) == {str(world.laureate.uuid)}
    assert uuids(get(client, "/api/v1/dossiers?track=numerique", raw)) == {str(world.other_occ.uuid)}
    assert uuids(get(client, "/api/v1/dossiers?region=84", raw)) == {str(world.lyon.uuid)}
    assert uuids(get(client, f"/api/v1/dossiers?wave={world.wave.slug}", raw)) == {
        str(d.uuid) for d in (world.laureate, world.other_occ, world.lyon)}
    bad = get(client, "/api/v1/dossiers?state=inconnu", raw)
    assert bad.status_code == 422
    assert bad.json() == {"code": "invalid", "message": "Paramètres invalides : state."}


def test_cursor_pagination_walks_every_dossier_once(client, world, make_token):
    raw = make_token(world.admin, calls=[world.call])
    seen, url = [], "/api/v1/dossiers?limit=1"

    while url:
        page = get(client, url, raw).json()
        seen += [item["uuid"] for item in page["items"]]
        url = page["next"]

    assert sorted(seen) == sorted(str(d.uuid) for d in (world.laureate, world.other_occ, world.lyon))
    assert len(seen) == 3
    broken = get(client, "/api/v1/dossiers?cursor=pas-un-curseur", raw)
    assert broken.status_code == 422
    assert broken.json()["code"] == "invalid_cursor"


def test_list_query_count_does_not_grow_with_rows(client, world, make_token, build):
    raw = make_token(world.admin, calls=[world.call])

    def page_queries(expected_items: int) -> int:
        get(client, "/api/v1/dossiers", raw)  # the rate window row of this minute exists (no INSERT below)...
        with CaptureQueriesContext(connection) as queries:
            assert len(get(client, "/api/v1/dossiers", raw).json()["items"]) == expected_items
        # ...unless the minute turned in between (building dossiers takes seconds on a loaded machine):
        # the rate window's own statements are not what this guard is about.
        return sum("apiratewindow" not in q["sql"].lower() for q in queries.captured_queries)

    few = page_queries(3)
    for _ in range(4):
        build(world.communes["gueret"], "numerique")
    many = page_queries(7)

    assert many == few


def test_requests_over_the_rate_limit_get_429_with_retry_after(client, world, make_token, settings):
    settings.FABRIQUES_API_RATE_LIMIT = 2
    raw = make_token(world.admin, calls=[world.call])

    statuses = [get(client, "/api/v1/dossiers", raw).status_code for _ in range(5)]

    # Five requests span at most two fixed windows: two allowed, then 429 within the same minute.
    assert statuses[:2] == [200, 200]
    assert 429 in statuses
    response = get(client, "/api/v1/dossiers", raw)
    if response.status_code == 200:  # a new minute has just begun
        response = [get(client, "/api/v1/dossiers", raw) for _ in range(2)][-1]
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
