"""The agents' batch check page: upload a CSV, download the result; errors in French, never a 500."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fabriques.accounts.enums import Role
from fabriques.accounts.models import CallRole, User
from tests.territory.test_batch import SAMPLE

pytestmark = pytest.mark.django_db
URL = reverse("territory:batch")


@pytest.fixture
def instructor(call):
    user = User.objects.create_user(email="instructrice@example.org", password="x" * 20)
    CallRole.objects.create(user=user, call=call, role=Role.INSTRUCTOR)
    return user


def upload(text: str, name: str = "lieux.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_an_instructor_uploads_places_and_downloads_one_line_per_place(client, territory_loaded, call, instructor):
    client.force_login(instructor)
    assert f'href="{URL}"' in client.get(reverse("instruction:dashboard")).content.decode()
    page = client.get(URL)
    assert page.status_code == 200
    assert "Vérifier des lieux par lot" in page.content.decode()
    response = client.post(URL, {"places": upload(SAMPLE), "call": call.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="verification-lieux-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [r["id"] for r in rows][:3] == ["villeurbanne", "nasbinals", "perpignan"]
    assert rows[2]["numerique:qpv_proximity"] == "Éligible"


def test_a_bad_file_is_explained_in_french_and_the_call_stays_chosen(client, territory_loaded, call, instructor):
    client.force_login(instructor)
    response = client.post(URL, {"places": upload("nom,ville\nA,Lyon\n"), "call": call.pk})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Colonnes attendues : id, puis latitude et longitude" in body
    assert f'<option value="{call.pk}" selected>' in body
    latin1 = SimpleUploadedFile("lieux.csv", "id;code_insee\nété;31555\n".encode("latin-1"))
    response = client.post(URL, {"places": latin1})
    assert response.status_code == 400
    assert "n’est pas encodé en UTF-8" in response.content.decode()
    assert client.post(URL, {}).status_code == 400


def test_applicants_are_refused(client, call):
    applicant = User.objects.create_user(email="porteur@example.org", password="x" * 20)
    CallRole.objects.create(user=applicant, call=call, role=Role.APPLICANT)
    client.force_login(applicant)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"places": upload(SAMPLE)}).status_code == 403
