"""Where a webhook may be sent: https on public addresses only, checked at save and at every delivery.

An admin's endpoint must not make the server reach its own network (SSRF): loopback, private, link-local (cloud
metadata at 169.254.169.254), shared, multicast, reserved and unspecified addresses are refused, for every address
the name resolves to and again for the address the socket actually connects to (a name re-pointed between the check
and the connection is caught). An internal receiver is allowed only through the explicit setting
FABRIQUES_WEBHOOK_ALLOWED_NETWORKS (CIDR list); such a receiver may use http. No proxy from the environment, no
redirects. Delivery errors are reported as categories (`ERRORS`), never the raw text, which would map hosts and
ports for whoever reads the log.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

log = logging.getLogger(__name__)

ERRORS = {
    "forbidden_address": "adresse interdite (réseau interne)",
    "name_not_found": "nom introuvable",
    "timeout": "délai dépassé",
    "connection": "connexion impossible",
    "tls": "certificat TLS refusé",
    "redirect": "redirection refusée",
    "scheme": "adresse non https",
    "http_status": "réponse HTTP en erreur",
    "other": "erreur d’envoi",
}


class ForbiddenAddressError(NewConnectionError):
    """The socket reached an address outside the public Internet (and outside the allow-list)."""


def allowed_networks() -> list:
    value = getattr(settings, "FABRIQUES_WEBHOOK_ALLOWED_NETWORKS", [])
    if isinstance(value, str):
        value = [item for item in value.split(",") if item.strip()]
    return [ipaddress.ip_network(item.strip(), strict=False) for item in value]


def _normalised(address: str):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip


def address_allowed(address: str) -> bool:
    """A public unicast address, or one inside FABRIQUES_WEBHOOK_ALLOWED_NETWORKS."""
    ip = _normalised(address)
    if any(ip in network for network in allowed_networks()):
        return True
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


FORM_MESSAGES = {
    "scheme": "L’adresse doit commencer par https:// (http:// seulement pour un récepteur interne autorisé).",
    "forbidden_address": ("Cette adresse mène au réseau interne (adresse locale, privée, de lien local ou réservée) : "
                          "refusée. Un récepteur interne doit être autorisé par le réglage "
                          "FABRIQUES_WEBHOOK_ALLOWED_NETWORKS."),
}


def _port(parts) -> int | None:
    try:
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None


def _addresses(host: str, port: int) -> list[str] | None:
    """The host's addresses (an IP literal as itself), or None when the name does not resolve."""
    try:
        return [str(_normalised(host))]
    except ValueError:
        pass
    try:
        return _resolve(host, port)
    except (OSError, UnicodeError):
        return None


def target_problem(url: str, *, at_delivery: bool) -> str | None:
    """Why this URL may not receive webhooks: "scheme", "forbidden_address", "name_not_found" (delivery), or None.

    At save, a name that does not resolve (yet) is accepted over https: every delivery resolves and checks it again.
    """
    parts = urlsplit(url)
    port = _port(parts)
    if parts.scheme not in ("https", "http") or not parts.hostname or port is None:
        return "scheme"
    addresses = _addresses(parts.hostname, port)
    if addresses is None:
        return "name_not_found" if at_delivery else ("scheme" if parts.scheme != "https" else None)
    if not all(address_allowed(a) for a in addresses):
        return "forbidden_address"
    listed = all(any(_normalised(a) in net for net in allowed_networks()) for a in addresses)
    return "scheme" if parts.scheme != "https" and not listed else None


def url_problem(url: str) -> str | None:
    """The French sentence the endpoint form shows, or None when the URL may be saved."""
    problem = target_problem(url, at_delivery=False)
    return FORM_MESSAGES[problem] if problem else None


def _check_peer(connection, sock) -> None:
    peer = sock.getpeername()[0]
    if not address_allowed(peer):
        sock.close()
        raise ForbiddenAddressError(connection, "connection to a forbidden address refused")


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _check_peer(self, sock)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _check_peer(self, sock)
        return sock


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def guarded_session() -> requests.Session:
    """A requests session that connects only to allowed addresses, ignores proxy variables, never retries."""
    session = requests.Session()
    session.trust_env = False
    adapter = _GuardedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def error_category(exc: Exception) -> str:
    """The `ERRORS` key of a requests exception (the raw text goes to the server log only)."""
    cause = exc.args[0] if exc.args else None
    reason = getattr(cause, "reason", cause)
    if isinstance(reason, ForbiddenAddressError):
        category = "forbidden_address"
    elif isinstance(exc, requests.exceptions.SSLError):
        category = "tls"
    elif isinstance(exc, requests.exceptions.Timeout):
        category = "timeout"
    elif isinstance(exc, requests.exceptions.ConnectionError):
        category = "name_not_found" if "NameResolution" in type(reason).__name__ else "connection"
    else:
        category = "other"
    log.warning("webhook delivery failed (%s): %s", category, exc)
    return category


def post(url: str, *, data: bytes, headers: dict, timeout) -> tuple[int | None, str]:
    """POST once to a checked address: (HTTP status or None, '' or an `ERRORS` key)."""
    problem = target_problem(url, at_delivery=True)
    if problem:
        log.warning("webhook delivery to %s refused: %s", url, problem)
        return None, problem
    try:
        with guarded_session() as session:
            response = session.post(url, data=data, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        return None, error_category(exc)
    status = response.status_code
    if 300 <= status < 400:
        return status, "redirect"
    if not 200 <= status < 300:
        return status, "http_status"  # the status itself is kept in last_status
    return status, ""
