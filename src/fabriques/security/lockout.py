"""How django-axes names the account being tried, and the page shown once it is locked out."""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone


def attempted_login(request, credentials) -> str | None:
    """The e-mail tried: allauth passes `email`, the admin form `username`, a raw POST `login`."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login") or request.POST.get("username")
    return value.strip().lower() if value else None


def lockout_response(request, original_response=None, credentials=None):
    """A DSFR page, in French, saying the account is locked (from this address, or from all) and until when."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "account_failure_limit": settings.FABRIQUES_LOGIN_ACCOUNT_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
        "until": timezone.localtime() + settings.AXES_COOLOFF_TIME,
    }
    return render(request, "security/lockout.html", context, status=429)
