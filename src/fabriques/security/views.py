"""The admin has no log-in form of its own: its password-only form would skip the second factor."""

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


def admin_login(request):
    """`/admin/login/` sends to allauth's log-in (password, then the code), then back to the admin."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = ""
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target or reverse('admin:index')})}")
