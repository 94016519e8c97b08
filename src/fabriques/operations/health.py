"""`/sante/`: what a load balancer asks every few seconds: can this server take a deposit now?

JSON, no session, no template. HTTP 503 when the database does not answer or the storage cannot take a file
(this server should get no traffic); 200 otherwise, with `"status": "degraded"` when the database refuses writes
(read-only: pages still read) or the job worker lags behind (e-mails, proofs, exports, webhooks wait: not this
server's fault).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fabriques.exports.worker import worker_lag
from fabriques.security import degraded
from fabriques.security.degraded import free_bytes, min_free_bytes


def _database() -> dict:
    began = time.monotonic()
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'")
                read_only = bool(cursor.fetchone()[0])
            else:
                cursor.execute("SELECT 1")
                read_only = degraded.read_only_now()
    except Exception as exc:  # any failure means: no traffic for this server
        degraded_fault = degraded.database_fault(exc)
        return {"ok": False, "read_only": degraded_fault == "read_only", "error": type(exc).__name__}
    if read_only:
        degraded.read_only_mark()
    else:
        degraded.read_only_clear()
    return {"ok": True, "read_only": read_only, "ms": round(1000 * (time.monotonic() - began), 1)}


def _storage() -> dict:
    root = Path(settings.MEDIA_ROOT)
    try:
        free = free_bytes(root)
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".sante-"):
            pass
    except OSError as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc.strerror or exc}"}
    return {"ok": free >= min_free_bytes(), "free_mb": free // (1024 * 1024),
            "min_free_mb": min_free_bytes() // (1024 * 1024)}


def _worker() -> dict:
    """Seconds the oldest due item (e-mail, proof, export, webhook: `exports.worker`) has waited for `run-jobs`."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":  # a table locked by a migration must not hold the check
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout = 2000")
            lag = worker_lag()
    except Exception as exc:  # the database check says why
        return {"ok": False, "error": type(exc).__name__}
    limit = int(getattr(settings, "FABRIQUES_HEALTH_MAX_WORKER_LAG", 600))
    return {"ok": lag <= limit, "lag_s": round(lag), "max_lag_s": limit}


@never_cache
@require_GET
def health(request):
    database = _database()
    checks = {"database": database, "storage": _storage(),
              "worker": _worker() if database["ok"] else {"ok": False, "error": "database"}}
    serving = database["ok"] and checks["storage"]["ok"]
    status = "ok" if serving and not database["read_only"] and checks["worker"]["ok"] else (
        "degraded" if serving else "unavailable")
    return JsonResponse({"status": status, "checks": checks}, status=200 if serving else 503)
