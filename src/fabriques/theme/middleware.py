"""The safety net under every view: a `Refusal` nobody caught becomes a French answer, never a 500."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from fabriques.refusal import Refusal


def _back(request) -> str | None:
    """The page the person came from, when it is one of ours (never an open redirect)."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return None


class RefusalMiddleware:
    """A form sent from one of our pages goes back there with the refusal as an error message; anything else
    gets the 409 page in the site's layout with the refusal's reason. The API has its own handler (api/errors.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Refusal):
            return None
        back = _back(request) if request.method not in ("GET", "HEAD") else None
        if back:
            messages.error(request, exception.message)
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = back
                return response
            return redirect(back)
        return render(request, "theme/error.html", {
            "code": 409, "title": "Action impossible", "message": exception.message,
        }, status=409)
