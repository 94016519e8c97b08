"""The agents' token page: created tokens are shown once, revoked by their owner only; per-role access."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fabriques.apitokens.models import ApiToken

pytestmark = pytest.mark.django_db


def test_agent_creates_a_token_shown_once_then_revokes_it(client, world):
    client.force_login(world.admin)
    expires_on = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

    response = client.post(reverse("apitokens:list"), {
        "name": "Tableau de bord", "calls": [world.call.pk], "expires_on": expires_on,
    })

    token = ApiToken.objects.get(owner=world.admin)
    raw = response.context["raw"]
    assert raw.startswith(token.prefix)
    assert raw in response.content.decode()
    assert raw not in client.get(reverse("apitokens:list")).content.decode()
    assert client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    client.post(reverse("apitokens:revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_expiry_more_than_a_year_ahead_is_refused_and_nothing_is_created(client, world):
    client.force_login(world.admin)

    response = client.post(reverse("apitokens:list"), {
        "name": "Trop long", "calls": [world.call.pk], "expires_on": "2099-01-01",
    })

    assert "Un jeton expire au plus tard dans un an." in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(("who", "status"), [
    (None, 302), ("applicant", 403), ("other_applicant", 403), ("instructor", 200),
    ("other_instructor", 200), ("evaluator", 200), ("committee", 200), ("admin", 200),
])
def test_token_page_is_for_agents_only(client, world, who, status):
    if who:
        client.force_login(getattr(world, who))

    assert client.get(reverse("apitokens:list")).status_code == status


def test_nobody_revokes_someone_elses_token(client, world, make_token):
    make_token(world.admin, calls=[world.call])
    token = ApiToken.objects.get(owner=world.admin)
    client.force_login(world.instructor)

    assert client.post(reverse("apitokens:revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
