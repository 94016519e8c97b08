"""Authentication backend that refuses locked-out (account, address) pairs before any password check."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' standalone backend, tolerant of calls without a request.

    Every web log-in (allauth's form, the admin) passes the request and is throttled. Calls without
    one (shell, `Client.login` in tests) have no client address to lock: they are left to the next
    backend instead of raising, as django-axes does by default.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
