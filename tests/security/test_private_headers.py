"""Private answers are never stored by a cache, and every answer sends a Permissions-Policy (issue 15, point 8)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fabriques.accounts.enums import Role
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    applicant,
    commune,
    complete_dossier,
    deposited_dossier,
    dossier,
    media_root,
    organisation,
    track,
)

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and "private" in response.get("Cache-Control", "")


def test_public_pages_send_a_permissions_policy_and_stay_cacheable(client, call):
    response = client.get(reverse("calls:home"))

    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert not _no_store(response)


def test_the_applicants_pages_attachment_and_proof_are_no_store(client, applicant, deposited_dossier):  # noqa: F811
    client.force_login(applicant)
    attachment = deposited_dossier.attachments.first()
    urls = [
        reverse("accounts:dashboard"),
        reverse("dossiers:detail", args=[deposited_dossier.uuid]),
        reverse("dossiers:attachment-download", args=[deposited_dossier.uuid, attachment.uuid]),
        reverse("dossiers:proof", args=[deposited_dossier.uuid, 1]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url
        assert "Permissions-Policy" in response, url


def test_the_agents_pages_and_exports_are_no_store(client, admin_user, deposited_dossier):  # noqa: F811
    client.force_login(admin_user)
    wave = deposited_dossier.wave
    urls = [
        reverse("instruction:dashboard"),
        reverse("instruction:dossier", args=[deposited_dossier.uuid]),
        reverse("exports:download", args=[wave.call.slug, wave.slug, "csv"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url


def test_api_answers_to_a_token_are_no_store(client, make_user, call):
    from fabriques.apitokens.domain import token_create

    owner = make_user("jeton@example.org", call=call, role=Role.ADMIN)
    _, raw = token_create(owner=owner, name="t", calls=[call], can_write=False,
                          expires_at=timezone.now() + dt.timedelta(days=1))

    response = client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 200
    assert _no_store(response)


def test_open_data_keeps_its_public_caching_even_for_a_logged_in_person(client, applicant):  # noqa: F811
    client.force_login(applicant)

    response = client.get(reverse("opendata:laureates-csv"))

    assert "public" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]
