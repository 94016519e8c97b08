"""Requests larger than FABRIQUES_MAX_REQUEST_MB are refused before their body is read (413).

Without it a 300 MB upload was read whole (to disk) before the attachment's own limit refused it. The cap is a
little above the largest attachment a call allows (20 Mo in the 2019 call); each attachment's limit still gives the
precise French message next to its field. The check reads the declared Content-Length: a body without one (chunked)
is not read by Django beyond what the WSGI server declares, and the front proxy should cap it too
(`client_max_body_size` for nginx).
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def max_request_bytes() -> int:
    return int(getattr(settings, "FABRIQUES_MAX_REQUEST_MB", 25)) * 1024 * 1024


def too_large_message(limit_bytes: int) -> str:
    return f"La requête est trop volumineuse : au plus {limit_bytes // (1024 * 1024)} Mo par envoi."


class RequestSizeLimitMiddleware:
    """413 in the site's layout, or in the API's error body under /api/, when Content-Length is above the cap."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = max_request_bytes()
        if length > limit:
            message = too_large_message(limit)
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "too_large", "message": message}, status=413)
            return render(request, "theme/error.html",
                          {"code": 413, "title": "Envoi trop volumineux", "message": message}, status=413)
        return self.get_response(request)
