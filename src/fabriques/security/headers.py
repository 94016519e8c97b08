"""Headers of every response: Permissions-Policy everywhere; private answers are never stored by a cache.

A private answer is one made for a logged-in session (pages, attachments, proofs, exports) or for an API token
(`Authorization` header): `Cache-Control: no-store` (with Django's never-cache set), so neither a shared proxy nor
the browser's disk keeps a dossier after log-out. A view that declares its answer `public` (the open data, the
same for everyone) keeps its caching.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
    "xr-spatial-tracking",
))


def is_private(request) -> bool:
    """Made for someone: a logged-in session or an API token."""
    if request.META.get("HTTP_AUTHORIZATION"):
        return True
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:  # no session cookie: nobody is logged in (no query)
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if is_private(request) and "public" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
