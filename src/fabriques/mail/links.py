"""Links in e-mails point where the person actually reaches the site.

Production: the configured `SITE_URL`, always. Development (DEBUG only): the development server may run on another
address or port than the configured one (`make run PORT=8001`, a container's forwarded port), so an e-mail queued
while a request is handled gets links on that request's own scheme and host; one queued by the job worker gets the
address `serve` was started on (`FABRIQUES_DEV_SITE_URL`, set for both its children). The outbox applies it to
every e-mail it queues (`links_localise`), so no sender builds its links differently.
"""

from __future__ import annotations

import os
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.http.request import split_domain_port, validate_host

DEV_SITE_URL_ENV = "FABRIQUES_DEV_SITE_URL"
_request_origin: ContextVar[str] = ContextVar("fabriques_request_origin", default="")


def configured_site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def site_url() -> str:
    """The address links should use: the configured one, or in DEBUG the address the developer is using."""
    if settings.DEBUG:
        origin = _request_origin.get() or os.environ.get(DEV_SITE_URL_ENV, "").rstrip("/")
        if origin:
            return origin
    return configured_site_url()


def links_localise(text: str) -> str:
    """Rewrite links to the configured address onto `site_url()` (a no-op in production)."""
    wanted, configured = site_url(), configured_site_url()
    if wanted == configured:
        return text
    return text.replace(configured + "/", wanted + "/")


def origin_from_environ(environ) -> str:
    """scheme://host[:port] of a WSGI request, if its host is one the site accepts (ALLOWED_HOSTS), else ""."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    if not host:
        return ""
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
    if not domain or not validate_host(domain, allowed):
        return ""
    scheme = environ.get("wsgi.url_scheme", "http")
    return f"{scheme}://{host}"


def _remember_origin(sender, environ=None, **kwargs) -> None:
    if settings.DEBUG and environ is not None:
        _request_origin.set(origin_from_environ(environ))


def _forget_origin(sender, **kwargs) -> None:
    _request_origin.set("")


def connect() -> None:
    """Called by the app's `ready()`: follow each request's origin (read only in DEBUG)."""
    request_started.connect(_remember_origin, dispatch_uid="fabriques.mail.links.origin")
    request_finished.connect(_forget_origin, dispatch_uid="fabriques.mail.links.forget")
