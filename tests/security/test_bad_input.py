"""Bad input never gives a 500 (issue 15, points 5 and 6): query parameters validated with a French 400, the API's
413 in its own error body, and requests above FABRIQUES_MAX_REQUEST_MB refused before their body is read."""

import io
import json

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.urls import reverse

from fabriques.accounts.enums import Role


@pytest.fixture
def instructor(client, make_user, call):
    user = make_user("instructeur@example.org", call=call, role=Role.INSTRUCTOR)
    client.force_login(user)
    return user


@pytest.mark.parametrize("value", ["sNaN", "NaN", "-Infinity", "1e999999", "abc", "1" * 400])
@pytest.mark.parametrize("key", ["score_min", "score_max"])
def test_a_score_filter_that_is_not_a_number_is_a_400_in_french(client, instructor, key, value):
    response = client.get(reverse("instruction:dashboard"), {key: value, "q": "tiers"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "fr-error-text" in html
    assert 'value="tiers"' in html  # what was typed stays


def test_an_unknown_wave_in_the_filters_is_a_400_and_a_valid_filter_a_200(client, instructor):
    assert client.get(reverse("instruction:dashboard"), {"wave": "pas-une-vague"}).status_code == 400
    assert client.get(reverse("instruction:dashboard"), {"score_min": "2,5", "page": "zzz"}).status_code == 200


@pytest.fixture
def write_token(call, make_user):
    import datetime as dt

    from django.utils import timezone

    from fabriques.apitokens.domain import token_create

    owner = make_user("admin-api@example.org", call=call, role=Role.ADMIN)
    _, raw = token_create(owner=owner, name="test", calls=[call], can_write=True,
                          expires_at=timezone.now() + dt.timedelta(days=1))
    return raw


def test_a_3_mb_json_body_gets_a_413_in_the_api_error_format(client, write_token, call):
    body = json.dumps({"call": call.slug, "wave": "x", "format": "csv", "padding": "x" * (3 * 1024 * 1024)})

    response = client.post("/api/v1/exports", body, content_type="application/json",
                           headers={"Authorization": f"Bearer {write_token}"})

    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "too_large"
    assert "trop volumineux" in response.json()["message"]


class _CountingInput(io.RawIOBase):
    """A request body that says how much of it was read (and never holds the bytes)."""

    def __init__(self, size: int):
        self.size, self.read_bytes = size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = b"\0" * n
        self.read_bytes += n
        return n


def _wsgi_post(path: str, length: int) -> tuple[str, bytes, _CountingInput]:
    stream = _CountingInput(length)
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz", "CONTENT_LENGTH": str(length),
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": stream, "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(), "wsgi.multithread": False,
        "wsgi.multiprocess": False, "wsgi.run_once": False, "wsgi.version": (1, 0), "REMOTE_ADDR": "127.0.0.1",
    }
    statuses = []
    body = b"".join(WSGIHandler()(environ, lambda status, headers, *a: statuses.append(status)))
    return statuses[0], body, stream


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/dossiers/", "/api/v1/exports", "/compte/login/"])
def test_a_300_mb_request_is_refused_before_its_body_is_read(path, settings):
    status, body, stream = _wsgi_post(path, 300 * 1024 * 1024)

    assert status.startswith("413")
    assert stream.read_bytes == 0
    assert "au plus 25 Mo" in body.decode()


@pytest.mark.django_db
def test_the_cap_is_a_setting(settings):
    settings.FABRIQUES_MAX_REQUEST_MB = 1

    status, body, stream = _wsgi_post("/dossiers/", 2 * 1024 * 1024)

    assert (status[:3], stream.read_bytes) == ("413", 0)
    assert "Envoi trop volumineux" in body.decode()
