"""Agents cannot use the application until their authenticator app (TOTP) is active."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from fabriques.security.rules import has_second_factor, must_use_second_factor


def _exempt_prefixes() -> tuple[str, ...]:
    """Pages an agent still needs before TOTP is active: the MFA pages, re-authentication, log-out, static files."""
    mfa_root = reverse("mfa_index")
    return (
        mfa_root,
        reverse("account_reauthenticate"),
        reverse("account_logout"),
        settings.STATIC_URL,
    )


class AgentMfaMiddleware:
    """Redirect an agent without TOTP to the activation page (setting FABRIQUES_REQUIRE_AGENT_MFA)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_activate(request):
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _must_activate(request) -> bool:
        if not getattr(settings, "FABRIQUES_REQUIRE_AGENT_MFA", True):
            return False
        user = request.user
        if not user.is_authenticated or request.path.startswith(_exempt_prefixes()):
            return False
        return must_use_second_factor(user) and not has_second_factor(user)
