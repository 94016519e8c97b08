"""A refusal nobody caught: a French message and back to the page (a form), or the 409 page; the API's error body."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from ninja import NinjaAPI
from ninja.testing import TestClient

from fabriques.api.errors import install_error_handlers
from fabriques.committee.domain import CommitteeError
from fabriques.dossiers.domain import DossierError
from fabriques.evaluation.errors import EvaluationError
from fabriques.followup.domain import FollowupError
from fabriques.instruction.errors import InstructionError
from fabriques.refusal import Refusal
from fabriques.theme.middleware import RefusalMiddleware

pytestmark = pytest.mark.django_db


def _request(method: str, referer: str = ""):
    factory = RequestFactory()
    headers = {"HTTP_REFERER": referer} if referer else {}
    request = getattr(factory, method)("/comite/x/y/decisions/", **headers)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    return request


def _net():
    return RefusalMiddleware(lambda request: None)


def test_every_domain_error_is_a_refusal():
    for error in (CommitteeError, DossierError, EvaluationError, FollowupError, InstructionError):
        assert issubclass(error, Refusal), error


def test_a_refused_form_goes_back_to_its_page_with_the_french_message():
    request = _request("post", referer="http://testserver/comite/x/y/decisions/")

    response = _net().process_exception(request, CommitteeError("Aucune décision préparée à appliquer."))

    assert (response.status_code, response["Location"]) == (302, "http://testserver/comite/x/y/decisions/")
    assert [str(m) for m in get_messages(request)] == ["Aucune décision préparée à appliquer."]


def test_a_refusal_from_another_site_or_a_get_is_the_409_page_not_a_redirect():
    for request in (_request("post", referer="https://ailleurs.example/piege/"), _request("get")):
        response = _net().process_exception(request, EvaluationError("Cette évaluation est déjà soumise."))

        assert response.status_code == 409
        page = response.content.decode()
        assert "Action impossible" in page
        assert "Cette évaluation est déjà soumise." in page


def test_other_exceptions_are_left_to_django():
    assert _net().process_exception(_request("post"), ValueError("bug")) is None


def test_the_api_answers_a_refusal_with_its_status_code_message_and_field():
    api = NinjaAPI(urls_namespace="refusal-test")
    install_error_handlers(api)

    @api.get("/conflit")
    def conflict(request):
        raise DossierError("Ce dossier a été modifié entre-temps.")

    @api.get("/champ")
    def field(request):
        raise FollowupError("La référence de paiement est obligatoire.", {"payment_reference": "Obligatoire."})

    @api.get("/saisie")
    def typed(request):
        raise Refusal("Montant hors des bornes.", field="amount_eur")

    client = TestClient(api)
    conflict_answer, followup_answer, typed_answer = (client.get(p) for p in ("/conflit", "/champ", "/saisie"))
    assert (conflict_answer.status_code, conflict_answer.json()) == (
        409, {"code": "refused", "message": "Ce dossier a été modifié entre-temps."})
    assert (followup_answer.status_code, followup_answer.json()["message"]) == (
        422, "La référence de paiement est obligatoire.")
    assert typed_answer.json() == {"code": "refused", "message": "Montant hors des bornes.", "field": "amount_eur"}
