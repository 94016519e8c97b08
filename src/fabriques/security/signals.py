"""Second-factor bookkeeping at log-in (see second_factor.py)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from fabriques.security.second_factor import session_facts_record


@receiver(user_logged_in, dispatch_uid="fabriques_second_factor_at_login")
def second_factor_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_facts_record(request, user)
