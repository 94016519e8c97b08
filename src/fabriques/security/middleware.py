"""Agents activate their authenticator app (TOTP) before using the platform; a session that skipped a second
factor its account holds is closed. The decision is `second_factor.session_second_factor_state`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from fabriques.security.second_factor import MUST_ACTIVATE, MUST_VERIFY, session_second_factor_state


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
    """Send an agent without TOTP to activation (setting FABRIQUES_REQUIRE_AGENT_MFA); log out a session that
    holds a TOTP but did not pass it (whatever the setting)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        required = getattr(settings, "FABRIQUES_REQUIRE_AGENT_MFA", True)
        state = session_second_factor_state(request, required=required)
        if state == MUST_VERIFY:
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "second_factor_required",
                                     "message": "Reconnectez-vous avec votre code de vérification."}, status=401)
            messages.warning(request, "Votre session n’a pas passé la vérification en deux étapes : "
                                      "reconnectez-vous avec votre mot de passe puis votre code.")
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}")
        if state == MUST_ACTIVATE and not request.path.startswith(_exempt_prefixes()):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
