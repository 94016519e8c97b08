"""ProConnect's configuration and data, without a browser: off unless configured, the second factor read from the
ID token's amr/acr, form-action opened to the provider only, links erased with the account."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from fabriques.accounts.proconnect import claims_say_second_factor
from fabriques.personal.personal_data import account_erase
from fabriques.settings import form_action_with, proconnect_providers


def test_without_variables_no_provider_is_configured():
    assert proconnect_providers("", "", "", ["openid"])["openid_connect"]["APPS"] == []
    assert form_action_with("") == ["'self'"]
    assert form_action_with("https://auth.agentconnect.gouv.fr/api/v2") == [
        "'self'", "https://auth.agentconnect.gouv.fr"]


@pytest.mark.django_db
def test_the_log_in_page_is_as_before_without_proconnect(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "ProConnect" not in page


@pytest.mark.parametrize(("claims", "second_factor"), [
    ({"amr": ["pwd", "mfa"]}, True), ({"amr": "mfa"}, True), ({"acr": "eidas2"}, True),
    ({"acr": "https://proconnect.gouv.fr/assurance/self-asserted-2fa"}, True),
    ({"amr": ["pwd"], "acr": "eidas1"}, False), ({}, False),
])
def test_amr_or_acr_say_whether_a_second_factor_was_used(claims, second_factor):
    assert claims_say_second_factor(claims) is second_factor


@pytest.mark.django_db
def test_erasing_an_account_deletes_its_proconnect_link(make_user):
    user = make_user("agent@mairie.fr")
    SocialAccount.objects.create(user=user, provider="proconnect", uid="sub-1", extra_data={"userinfo": {
        "email": "agent@mairie.fr", "given_name": "Camille"}})
    account_erase(user=user)
    assert not SocialAccount.objects.exists()
