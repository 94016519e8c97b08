"""Error pages in French, in the site's layout (500: a standalone page that needs neither database nor session)."""

import re
import sys

from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from fabriques.security.degraded import database_fault_in_chain

_DJANGO_DEFAULT = re.compile(r"^No .* matches the given query\.$")


def _our_message(exception) -> str:
    """The French reason a view gave (Http404("…")); Django's own English messages are not shown."""
    message = exception.args[0] if exception is not None and exception.args else ""
    return message if isinstance(message, str) and not _DJANGO_DEFAULT.match(message) else ""


def error_404(request, exception=None):
    return render(request, "theme/error.html", {
        "code": 404, "title": "Page introuvable",
        "message": _our_message(exception) or "La page demandée n’existe pas, ou vous n’y avez pas accès.",
    }, status=404)


def error_403(request, exception=None):
    return render(request, "theme/error.html", {
        "code": 403, "title": "Accès refusé",
        "message": _our_message(exception) or "Vous n’avez pas les droits nécessaires pour accéder à cette page.",
    }, status=403)


def error_400(request, exception=None):
    fault = database_fault_in_chain(exception)  # a session that could not be saved: the database, not the request
    if fault:
        return error_503(request, read_only=fault == "read_only")
    return render(request, "theme/error.html", {
        "code": 400, "title": "Requête invalide",
        "message": "La requête n’a pas pu être traitée. Rechargez la page puis réessayez.",
    }, status=400)


def error_500(request):
    """Django calls it inside the `except` of the failed request: a database that does not answer or refuses
    writes gets the 503 page (« réessayez »), anything else the 500 page."""
    fault = database_fault_in_chain(sys.exc_info()[1])
    if fault:
        return error_503(request, read_only=fault == "read_only")
    return HttpResponseServerError(loader.get_template("theme/500.html").render({}))


def error_503(request, *, read_only: bool = False):
    """Standalone like the 500 page (no database, no session); `Retry-After` for browsers and proxies."""
    html = loader.get_template("theme/503.html").render({"read_only": read_only})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    return response


# --- The pages a French public service must have, linked from the footer -------------------------------------------
# Accessibility: no RGAA audit has been carried out, and the RGAA says a service without an audit declares itself
# « non conforme ». Automated checks (axe-core in the browser tests) are not an audit; the declaration says so.
ACCESSIBILITY_STATE = "non conforme"


def _public_page(template: str, title: str, **extra):
    def view(request):
        from django.conf import settings

        return render(request, f"theme/pages/{template}.html", {
            "title": title, "accessibility_state": ACCESSIBILITY_STATE,
            "publisher": settings.FABRIQUES_PUBLISHER, "host_name": settings.FABRIQUES_HOST_NAME, **extra,
        })

    view.__name__ = template.replace("-", "_")
    return view


legal_notice = _public_page("mentions-legales", "Mentions légales")
accessibility = _public_page("accessibilite", "Déclaration d’accessibilité")
personal_data = _public_page("donnees-personnelles", "Données personnelles")
sitemap = _public_page("plan-du-site", "Plan du site")
contact = _public_page("contact", "Contact")
