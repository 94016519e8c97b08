"""Second-factor bookkeeping at log-in (see second_factor.py)."""

from allauth.account.internal.flows.login import record_authentication
from allauth.account.signals import user_logged_in as allauth_user_logged_in
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from fabriques.accounts.proconnect import proconnect_facts
from fabriques.security.second_factor import session_facts_record


@receiver(user_logged_in, dispatch_uid="fabriques_second_factor_at_login")
def second_factor_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_facts_record(request, user)


@receiver(allauth_user_logged_in, dispatch_uid="fabriques_proconnect_second_factor")
def proconnect_second_factor_at_login(sender, request, user, sociallogin=None, **kwargs):
    """A ProConnect log-in with a second factor counts as this session's second factor (allauth's signal comes after
    Django's, so the session's facts are recorded again)."""
    facts = proconnect_facts(request, sociallogin)
    if not facts or not facts.get("mfa"):
        return
    record_authentication(request, user, method="mfa", type="proconnect", amr=facts.get("amr"), acr=facts.get("acr"))
    session_facts_record(request, user)
