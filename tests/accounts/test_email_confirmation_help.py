"""A new applicant who did not get (or lost) the confirmation e-mail is never stuck: resend, contact, local inbox."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "un-mot-de-passe-solide-2019"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth keeps its rate limits in the cache, which outlives a test: start and leave it empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _sign_up(client, email="lea@exemple.fr"):
    return client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD},
                       follow=True)


def test_the_verification_page_offers_a_resend_button_and_a_real_contact(client, settings):
    settings.FABRIQUES_CONTACT_EMAIL = "aide@programme.example"
    page = _sign_up(client).content.decode()

    assert "Confirmez votre adresse électronique" in page
    assert "Renvoyer le lien de confirmation" in page
    assert 'href="mailto:aide@programme.example"' in page


def test_logging_in_unconfirmed_shows_the_same_help(client):
    _sign_up(client)
    client.logout()
    page = client.post(reverse("account_login"), {"login": "lea@exemple.fr", "password": PASSWORD},
                       follow=True).content.decode()
    assert "Renvoyer le lien de confirmation" in page


def test_resending_sends_a_new_working_link(client):
    from django.core.cache import cache

    _sign_up(client)
    mail.outbox.clear()
    cache.clear()  # as if the three minutes of allauth's rate limit had passed

    response = client.post(reverse("accounts:resend_confirmation"), {"email": "Lea@Exemple.fr"}, follow=True)

    assert "un nouveau lien vient d’y être envoyé" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["lea@exemple.fr"]
    link = re.search(r"http://\S+", message.body).group(0).replace("http://testserver", "")
    assert client.post(link).status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_an_unknown_or_confirmed_address_gets_the_same_answer_and_no_mail(client, make_user):
    make_user("deja@exemple.fr")
    for email in ("inconnu@exemple.fr", "deja@exemple.fr"):
        page = client.post(reverse("accounts:resend_confirmation"), {"email": email}, follow=True).content.decode()
        assert f"Si un compte en attente de confirmation existe pour {email}" in page
    assert mail.outbox == []


def test_a_bad_address_is_refused_in_french_and_kept(client):
    response = client.post(reverse("accounts:resend_confirmation"), {"email": "pas-une-adresse"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Saisissez une adresse de courriel valide." in page
    assert 'value="pas-une-adresse"' in page


def test_resending_is_rate_limited_by_allauth(client):
    _sign_up(client)
    mail.outbox.clear()
    client.post(reverse("accounts:resend_confirmation"), {"email": "lea@exemple.fr"})
    assert mail.outbox == []  # the sign-up e-mail was sent less than three minutes ago
