"""ProConnect (the State's OpenID Connect federation) as a sign-in beside the password, through django-allauth's
`openid_connect` provider; configured only by environment variables (settings: FABRIQUES_PROCONNECT_*).

- Accounts are linked by e-mail only when the provider vouches for it (`email_verified`, or
  FABRIQUES_PROCONNECT_EMAILS_VERIFIED for a federation that verifies every address); otherwise the sign-in is
  refused with a French page.
- A ProConnect sign-in whose ID token says a second factor was used (`amr` holds "mfa", or `acr` is one of
  FABRIQUES_PROCONNECT_MFA_ACR) is recorded as the session's second factor (an allauth authentication record of
  method "mfa", which `security.second_factor` reads); allauth's TOTP step is then skipped. Otherwise TOTP is asked
  as after a password.
- The userinfo answer may be a signed JWT (ProConnect's case) or JSON; log-out also ends the provider's session
  (RP-initiated logout with the ID token as hint).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, get_adapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import get_random_string

logger = logging.getLogger(__name__)

PROVIDER_ID = "proconnect"
SESSION_KEY = "fabriques_proconnect"  # {"uid": sub, "id_token": raw ID token, "mfa": bool, "amr": [...], "acr": str}


def proconnect_enabled() -> bool:
    return bool(settings.FABRIQUES_PROCONNECT_ISSUER and settings.FABRIQUES_PROCONNECT_CLIENT_ID)


def claims_say_second_factor(claims: dict) -> bool:
    """RFC 8176: "mfa" in `amr`; or an `acr` the deployment lists as multi-factor (eidas2, eidas3…)."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return "mfa" in amr or (claims.get("acr") or "") in settings.FABRIQUES_PROCONNECT_MFA_ACR


class ProConnectAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's OpenID Connect adapter, keeping what the log-in and the log-out need from the token answer."""

    def complete_login(self, request, app, token, **kwargs):
        login = super().complete_login(request, app, token, **kwargs)
        claims = login.account.extra_data.get("id_token") or {}
        request.session[SESSION_KEY] = {
            "uid": login.account.uid, "id_token": kwargs["response"].get("id_token", ""),
            "mfa": claims_say_second_factor(claims), "amr": claims.get("amr") or [], "acr": claims.get("acr") or "",
        }
        return login

    def _fetch_user_info(self, access_token: str) -> dict:
        """JSON, or a JWT signed with the provider's keys (ProConnect answers `application/jwt`)."""
        with get_adapter().get_requests_session() as session:
            response = session.get(self.profile_url, headers={"Authorization": f"Bearer {access_token}"})
            response.raise_for_status()
        if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
            return jwtkit.verify_and_decode(
                credential=response.text.strip(), keys_url=self.openid_config["jwks_uri"],
                issuer=self.openid_config["issuer"], audience=self.get_provider().app.client_id,
                lookup_kid=jwtkit.lookup_kid_jwk, verify_signature=True,
            )
        return response.json()


def login(request, provider_id):
    """allauth's OpenID Connect log-in view, with the adapter above."""
    try:
        return OAuth2LoginView.adapter_view(ProConnectAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404("Connexion ProConnect non configurée") from None


def callback(request, provider_id):
    try:
        return OAuth2CallbackView.adapter_view(ProConnectAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404("Connexion ProConnect non configurée") from None


def proconnect_facts(request, sociallogin) -> dict | None:
    """The session's ProConnect facts when this log-in is the ProConnect one they were recorded for."""
    facts = request.session.get(SESSION_KEY)
    if not (sociallogin and isinstance(facts, dict)):
        return None
    if sociallogin.account.provider != PROVIDER_ID or facts.get("uid") != sociallogin.account.uid:
        return None
    return facts


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        """Refuse an address the provider does not vouch for (no account is created or linked)."""
        if sociallogin.account.provider != PROVIDER_ID:
            return
        if settings.FABRIQUES_PROCONNECT_EMAILS_VERIFIED:
            for address in sociallogin.email_addresses:
                address.verified = True
        if not any(address.verified for address in sociallogin.email_addresses):
            request.session.pop(SESSION_KEY, None)
            raise ImmediateHttpResponse(render(request, "accounts/proconnect_refused.html", status=403))


class ProConnectAuthenticateStage(AuthenticateStage):
    """allauth's TOTP step, skipped when this ProConnect log-in already used a second factor."""

    def _should_handle(self, request) -> bool:
        facts = proconnect_facts(request, (self.login.signal_kwargs or {}).get("sociallogin"))
        if facts and facts.get("mfa"):
            return False
        return super()._should_handle(request)


class AccountAdapter(DefaultAccountAdapter):
    def get_login_stages(self) -> list[str]:
        stages = super().get_login_stages()
        own = f"{__name__}.ProConnectAuthenticateStage"
        return [own if stage == "allauth.mfa.stages.AuthenticateStage" else stage for stage in stages]

    def get_logout_redirect_url(self, request) -> str:
        """After a ProConnect session, end the provider's session too (it sends back to the home page)."""
        url = super().get_logout_redirect_url(request)
        facts = request.session.get(SESSION_KEY)
        if not (isinstance(facts, dict) and facts.get("id_token")):
            return url
        endpoint = _end_session_endpoint()
        if not endpoint:
            return url
        query = urlencode({"id_token_hint": facts["id_token"], "state": get_random_string(24),
                           "post_logout_redirect_uri": request.build_absolute_uri(reverse("calls:home"))})
        return f"{endpoint}?{query}"


def _end_session_endpoint() -> str:
    app = next((a for a in settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
                if a.get("provider_id") == PROVIDER_ID), None)
    if app is None:
        return ""
    url = app["settings"]["server_url"].rstrip("/")
    if "/.well-known/" not in url:
        url += "/.well-known/openid-configuration"
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(url, timeout=5)
            response.raise_for_status()
            return response.json().get("end_session_endpoint", "")
    except Exception:  # a provider down must not block the log-out of Fabriques
        logger.warning("ProConnect: end_session_endpoint unreadable, local log-out only")
        return ""
