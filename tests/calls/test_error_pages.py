"""Error pages speak French, in the site's layout; a view's own reason is shown, Django's English ones never."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from fabriques.theme.views import error_403, error_500

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_the_french_404_page(client, call):
    response = client.get("/nulle-part/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in body
    assert "La page demandée n’existe pas, ou vous n’y avez pas accès." in body
    assert 'lang="fr"' in body


def test_a_views_own_reason_is_shown(client, call, make_user):
    client.force_login(make_user("lea@exemple.fr"))
    body = client.get(f"/dossiers/{uuid.uuid4()}/").content.decode()
    assert "Dossier introuvable" in body


def test_djangos_english_message_is_replaced(client, call):
    body = client.get(reverse("calls:detail", args=["nope"])).content.decode()
    assert "matches the given query" not in body
    assert "Page introuvable" in body


def test_403_and_500_pages_are_in_french():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    forbidden = error_403(request, PermissionDenied())
    assert forbidden.status_code == 403
    assert "Accès refusé" in forbidden.content.decode()
    failed = error_500(request)
    assert failed.status_code == 500
    assert "Rien de ce que vous avez déjà enregistré n’est perdu." in failed.content.decode()
