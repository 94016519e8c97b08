"""Two writes of a dossier at once never give a 500: an answer or a deposit that waits too long for another writer
is refused in French (503, « réessayez »), nothing is written and the page keeps what was typed; the autosave gets a
503 that autosave.js retries."""

import pytest
from django.urls import reverse

from fabriques.dossiers import queries
from fabriques.dossiers.deposit import deposit_key_issue
from fabriques.dossiers.models import Answer, Dossier, DossierVersion
from tests.contention import another_writer_holding

pytestmark = pytest.mark.django_db(transaction=True)

BUSY = "Un autre enregistrement était en cours au même moment"


def test_an_answer_that_waits_too_long_for_another_write_is_refused_with_the_text_kept(
    client, complete_dossier, applicant
):
    criterion = queries.criteria_for(complete_dossier)[0]
    answer = Answer.objects.get(dossier=complete_dossier, criterion=criterion)
    url = reverse("dossiers:answer", args=[complete_dossier.uuid, criterion.code])
    client.force_login(applicant)
    client.raise_request_exception = False
    data = {"version": answer.version, "text": "Texte tapé pendant l’enregistrement d’un co-rédacteur"}

    with another_writer_holding(Answer, answer.pk):
        page = client.post(url, data)
        fragment = client.post(url, data, HTTP_HX_REQUEST="true")

    assert page.status_code == 503
    assert page["Retry-After"] == "2"
    assert BUSY in page.content.decode()
    assert "Texte tapé pendant l’enregistrement d’un co-rédacteur</textarea>" in page.content.decode()
    assert fragment.status_code == 503
    assert BUSY in fragment.content.decode()
    answer.refresh_from_db()
    assert answer.text != data["text"]
    assert client.post(url, data).status_code == 302
    answer.refresh_from_db()
    assert answer.text == data["text"]


def test_a_deposit_that_waits_too_long_for_another_write_is_refused_in_french_and_can_be_sent_again(
    client, complete_dossier, applicant
):
    url = reverse("dossiers:deposit", args=[complete_dossier.uuid])
    client.force_login(applicant)
    client.raise_request_exception = False
    key = deposit_key_issue(dossier=complete_dossier)

    with another_writer_holding(Dossier, complete_dossier.pk):
        response = client.post(url, {"submission_key": key})

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert BUSY in response.content.decode()
    assert "Déposer le dossier" in response.content.decode()  # the form again, with a fresh key
    assert not DossierVersion.objects.filter(dossier=complete_dossier).exists()
    assert client.post(url, {"submission_key": key}).status_code == 302
    assert DossierVersion.objects.filter(dossier=complete_dossier).count() == 1
