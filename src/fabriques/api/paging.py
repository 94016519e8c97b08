"""Cursor pagination shared by the API's lists: an opaque cursor on the row id, a bounded page size."""

import base64
import binascii
import json

from fabriques.api.errors import ApiError

LIMIT_MAX = 500


def limit_check(limit: int) -> None:
    """Refuse a page size outside 1..LIMIT_MAX with the API's 422."""
    if not 1 <= limit <= LIMIT_MAX:
        raise ApiError(422, "invalid", f"Paramètres invalides : limit doit être entre 1 et {LIMIT_MAX}.")


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after = int(data["after"])
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        message = "Curseur de pagination invalide : reprenez la valeur de « next_cursor »."
        raise ApiError(422, "invalid_cursor", message) from exc
    return after
