"""Database upkeep the background worker does between jobs: fresh planner statistics on SQLite.

SQLite plans queries with the statistics `ANALYZE` writes (`sqlite_stat1`) and nobody runs it on its own:
a base filled by the platform and never analysed plans the API's dossier list 1.5× slower on SQLite
(52.7 against 35.1 ms at p95 on 20,000 dossiers, `bench/dataout_bench.py --measure api`; on
PostgreSQL, where autovacuum analyses, the missing statistics cost 2.3×: 113 against 48 ms). The worker
(`run-jobs`) runs `ANALYZE` when it starts and every STATISTICS_EVERY, with `analysis_limit` so that it
samples each index instead of reading it whole (5 ms instead of 160 ms on that base: the write lock it
takes is short even on a closing day).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

STATISTICS_EVERY = dt.timedelta(hours=6)
ANALYSIS_LIMIT = 1000  # rows sampled per index (SQLite's `PRAGMA analysis_limit`)
_refreshed: dict[str, dt.datetime] = {}  # this process's last ANALYZE, by database alias


def planner_statistics_refresh(*, now: dt.datetime | None = None) -> int:
    """On SQLite, `ANALYZE` if this process has not done so for STATISTICS_EVERY; 1 if it ran, else 0."""
    now = now or timezone.now()
    last = _refreshed.get(connection.alias)
    if connection.vendor != "sqlite" or (last and now - last < STATISTICS_EVERY):
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    _refreshed[connection.alias] = now
    return 1
