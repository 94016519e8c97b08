"""The worker keeps SQLite's planner statistics fresh: ANALYZE at start, then every 6 hours; nothing on PostgreSQL."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from fabriques.security import maintenance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch):
    monkeypatch.setattr(maintenance, "_refreshed", {})


def _analysed_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchall():
            return set()
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_the_worker_analyses_sqlite_when_it_starts_then_every_six_hours(make_user):
    for n in range(3):
        make_user(f"personne{n}@exemple.fr")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    assert "accounts_user" not in _analysed_tables()

    out = io.StringIO()
    call_command("run_jobs", "--once", stdout=out)

    assert "statistiques SQLite 1" in out.getvalue()
    assert "accounts_user" in _analysed_tables()
    now = timezone.now()
    assert maintenance.planner_statistics_refresh(now=now + maintenance.STATISTICS_EVERY / 2) == 0
    assert maintenance.planner_statistics_refresh(now=now + maintenance.STATISTICS_EVERY * 1.01) == 1


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL: autovacuum analyses")
def test_on_postgresql_the_worker_leaves_statistics_to_autovacuum():
    out = io.StringIO()
    call_command("run_jobs", "--once", stdout=out)

    assert maintenance.planner_statistics_refresh() == 0
    assert "statistiques" not in out.getvalue()
