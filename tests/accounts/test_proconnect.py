"""ProConnect sign-in against a real OpenID Connect provider (panva/oidc-provider, started on 127.0.0.1 by the
fixture), in Chromium: sign-in, linking by verified e-mail, refusal of an unverified address, the second factor
from amr/acr for agents, log-out at both ends."""

import copy
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from fabriques.accounts.enums import Role
from fabriques.accounts.models import User
from fabriques.settings import form_action_with, proconnect_providers
from tests.accounts.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def proconnect(live_server, settings):
    provider = OidcProvider(live_server.url)
    settings.FABRIQUES_PROCONNECT_ISSUER, settings.FABRIQUES_PROCONNECT_CLIENT_ID = provider.issuer, CLIENT_ID
    settings.SOCIALACCOUNT_PROVIDERS = proconnect_providers(
        provider.issuer, CLIENT_ID, CLIENT_SECRET, ["openid", "email", "given_name", "usual_name"])
    csp = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    csp["DIRECTIVES"]["form-action"] = form_action_with(provider.issuer)
    settings.CONTENT_SECURITY_POLICY = csp
    yield provider
    provider.stop()


def sign_in_with_proconnect(page, base, email, *, verified=True, mfa=False):
    page.goto(base + "/compte/login/")
    page.get_by_role("button", name="S’identifier avec ProConnect").click()
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/"))
    page.get_by_label("Adresse électronique").fill(email)
    if not verified:
        page.get_by_label("Adresse vérifiée").uncheck()
    if mfa:
        page.get_by_label("Second facteur utilisé").check()
    page.get_by_role("button", name="Se connecter").click()


def test_a_newcomer_signs_in_then_logs_out_at_both_ends(live_server, page, proconnect, axe_check):
    base = live_server.url
    page.goto(base + "/compte/login/")
    expect(page.locator("#proconnect")).to_be_visible()
    axe_check("log-in page with ProConnect")
    sign_in_with_proconnect(page, base, "nouvelle@collectivite.fr")
    page.wait_for_url("**/espace/")
    user = User.objects.get(email="nouvelle@collectivite.fr")
    assert EmailAddress.objects.get(user=user).verified is True
    assert SocialAccount.objects.get(user=user).provider == "proconnect"

    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/session/end"))  # the provider's session ends too
    page.get_by_role("button", name=re.compile("sign me out", re.I)).click()
    page.wait_for_url(re.compile(re.escape(base) + r"/\?state=\w+$"))  # back home, with the state sent
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()
    page.goto(base + "/espace/")
    assert "/compte/login/" in page.url


def test_an_existing_account_with_the_same_verified_address_is_linked(live_server, page, proconnect, make_user):
    existing = make_user("porteuse@association.fr")
    sign_in_with_proconnect(page, live_server.url, "porteuse@association.fr")
    page.wait_for_url("**/espace/")
    assert User.objects.filter(email__iexact="porteuse@association.fr").count() == 1
    assert SocialAccount.objects.get(provider="proconnect").user_id == existing.pk


def test_an_unverified_address_is_refused_and_nothing_is_created_or_linked(
    live_server, page, proconnect, make_user, axe_check
):
    make_user("agent@mairie.fr")
    sign_in_with_proconnect(page, live_server.url, "agent@mairie.fr", verified=False)
    expect(page.get_by_role("heading", name="Connexion ProConnect refusée")).to_be_visible()
    axe_check("refusal page")
    assert not SocialAccount.objects.exists()
    page.context.clear_cookies()  # the provider's session too: sign in again there
    sign_in_with_proconnect(page, live_server.url, "inconnue@exemple.fr", verified=False)
    expect(page.get_by_role("heading", name="Connexion ProConnect refusée")).to_be_visible()
    assert not User.objects.filter(email="inconnue@exemple.fr").exists()
    page.goto(live_server.url + "/espace/")
    assert "/compte/login/" in page.url


@pytest.mark.mfa
def test_an_agent_whose_proconnect_used_a_second_factor_is_not_asked_for_totp(
    live_server, page, proconnect, make_user, call
):
    agent = make_user("instructrice@prefecture.gouv.fr", call=call, role=Role.INSTRUCTOR)
    TOTP.activate(agent, generate_totp_secret())
    sign_in_with_proconnect(page, live_server.url, agent.email, mfa=True)
    page.wait_for_url("**/espace/")
    page.goto(live_server.url + "/instruction/")
    assert page.url == live_server.url + "/instruction/"  # the session counts as having passed its second factor


@pytest.mark.mfa
def test_an_agent_without_a_proconnect_second_factor_still_gives_a_totp_code(
    live_server, page, proconnect, make_user, call
):
    agent = make_user("instructeur@prefecture.gouv.fr", call=call, role=Role.INSTRUCTOR)
    TOTP.activate(agent, generate_totp_secret())
    sign_in_with_proconnect(page, live_server.url, agent.email, mfa=False)
    page.wait_for_url("**/2fa/authenticate/**")

    newcomer = make_user("nouvel-agent@prefecture.gouv.fr", call=call, role=Role.INSTRUCTOR)
    page.context.clear_cookies()
    sign_in_with_proconnect(page, live_server.url, newcomer.email, mfa=False)
    # No authenticator yet: sent to activation (allauth first asks the password again), as after a password log-in.
    page.wait_for_url(re.compile(r"2fa(/|%2F)totp(/|%2F)activate"))
