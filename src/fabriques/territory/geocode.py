"""Client of the national address API (BAN, api-adresse.data.gouv.fr): only when FABRIQUES_BAN_URL is set."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GeocodedAddress:
    label: str
    latitude: float
    longitude: float
    commune_code: str
    score: float


class GeocodingError(Exception):
    """The address service is off, unreachable, too slow or answered something unreadable."""


def geocoding_enabled() -> bool:
    return bool(getattr(settings, "FABRIQUES_BAN_URL", ""))


def address_geocode(address: str, *, commune_code: str | None = None) -> GeocodedAddress | None:
    """The best match of BAN for an address (None when BAN finds nothing); raises GeocodingError."""
    base = getattr(settings, "FABRIQUES_BAN_URL", "")
    if not base:
        raise GeocodingError("service d’adresses non configuré")
    params = {"q": address, "limit": "1"}
    if commune_code:
        params["citycode"] = commune_code
    url = f"{base.rstrip('/')}/search/?{urllib.parse.urlencode(params)}"
    if not url.startswith(("http://", "https://")):
        raise GeocodingError("FABRIQUES_BAN_URL doit commencer par http:// ou https://")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=settings.FABRIQUES_BAN_TIMEOUT) as response:  # noqa: S310
            data = json.loads(response.read(2_000_000))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        logger.warning("BAN geocoding failed: %s", exc)
        raise GeocodingError("service d’adresses indisponible") from exc
    return _first_feature(data)


def _first_feature(data) -> GeocodedAddress | None:
    try:
        features = data["features"]
        if not features:
            return None
        feature = features[0]
        lon, lat = feature["geometry"]["coordinates"][:2]
        props = feature.get("properties", {})
        return GeocodedAddress(
            label=str(props.get("label", "")), latitude=float(lat), longitude=float(lon),
            commune_code=str(props.get("citycode", "")), score=float(props.get("score", 0)),
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise GeocodingError("réponse du service d’adresses illisible") from exc
