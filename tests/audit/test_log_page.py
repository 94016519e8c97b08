"""The audit log page of a call: programme admins only, filters in SQL, CSV of the filtered rows, constant queries."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabriques.accounts.enums import Role
from fabriques.audit.models import AuditEntry
from tests.instruction.conftest import build, communes, occitanie  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(call, build, communes):  # noqa: F811
    first, second = build(communes["toulouse"]), build(communes["lyon"])
    return {"url": reverse("audit:log", args=[call.slug]), "first": first, "second": second}


def _refs(page: str, *dossiers) -> list[bool]:
    return [d.reference in page for d in dossiers]


def test_admins_read_the_log_and_filter_it_by_dossier_person_action_and_date(client, log, admin_user):
    client.force_login(admin_user)
    first, second = log["first"], log["second"]

    page = client.get(log["url"]).content.decode()
    assert _refs(page, first, second) == [True, True]
    page = client.get(log["url"], {"dossier": first.reference.lower()}).content.decode()
    assert _refs(page, first, second) == [True, False]
    page = client.get(log["url"], {"person": second.owner.email, "action": "transition"}).content.decode()
    assert "<code>dossier.transition</code>" in page
    assert "<code>dossier.create</code>" not in page
    assert _refs(page, first, second) == [False, True]
    assert "Aucune entrée pour ces filtres." in client.get(log["url"], {"date_to": "2001-01-01"}).content.decode()


def test_a_bad_date_is_refused_in_french_and_keeps_the_other_filters(client, log, admin_user):
    client.force_login(admin_user)
    response = client.get(log["url"], {"date_from": "32/13/2026", "person": "porteur"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "« Du » : saisissez une date valide" in page
    assert 'value="porteur"' in page


def test_the_csv_holds_the_filtered_rows_in_french(client, log, admin_user):
    client.force_login(admin_user)
    response = client.get(log["url"], {"dossier": log["first"].reference, "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Date (heure de Paris)", "Personne", "Action"]
    assert len(rows) > 1
    assert {r[4] for r in rows[1:]} == {log["first"].reference}
    expected = AuditEntry.objects.filter(dossier_id=log["first"].pk).count()
    assert len(rows) - 1 == expected


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.COMMITTEE, Role.EVALUATOR, None])
def test_only_programme_admins_open_it(client, log, make_user, call, role):
    client.force_login(make_user("agent@exemple.fr", call=call, role=role))
    assert client.get(log["url"]).status_code == 403


def test_the_page_query_count_does_not_grow_with_rows(client, log, admin_user, build, communes):  # noqa: F811
    client.force_login(admin_user)
    client.get(log["url"])
    with CaptureQueriesContext(connection) as few:
        client.get(log["url"])
    for _ in range(3):
        build(communes["montpellier"])
    with CaptureQueriesContext(connection) as more:
        client.get(log["url"])
    assert len(more) == len(few)
