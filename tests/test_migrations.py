"""The migrations, checked here once per run: the test databases are built from the models (`--no-migrations` in
pyproject.toml's addopts saves each pytest worker ~7 s of CPU; docs/benchmarks.md, « CI duration »).

1. No model change lacks its migration (`makemigrations --check`).
2. The migrations, applied by `python -m fabriques migrate` to an empty database of the run's kind (a SQLite file, or
   a new PostgreSQL database on the server of DATABASE_URL), give every table and column the models give the test
   database: same names, types and nullability. Real processes and databases; no mock.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
# The same introspection, run in a child process on the migrated database (stdout: one JSON line).
SCHEMA_SCRIPT = """
import json
import django
django.setup()
from tests.test_migrations import schema_read
print(json.dumps(schema_read()))
"""


def schema_read() -> dict[str, list[list]]:
    """Table -> sorted [column, type, nullable] of our apps' tables in the default database (Django's introspection).

    Our apps only: Django's own differ between the two ways on PostgreSQL (auth_group_permissions.id is a bigint
    when migrated, an integer when built from the models), which is not ours to check."""
    from django.apps import apps
    from django.db import connection

    ours = {model._meta.db_table for model in apps.get_models(include_auto_created=True)
            if model._meta.app_config.name.startswith("fabriques.")}
    with connection.cursor() as cursor:
        tables = sorted(t.name for t in connection.introspection.get_table_list(cursor) if t.type == "t")
        return {table: sorted([c.name, str(c.type_code), bool(c.null_ok)]
                              for c in connection.introspection.get_table_description(cursor, table))
                for table in tables if table in ours}


def _environment(tmp_path: Path) -> dict[str, str]:
    """A child process's settings: SQLite in a folder of its own (PostgreSQL when DATABASE_URL is set below)."""
    environment = {**os.environ, "FABRIQUES_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "fabriques.settings",
                   "FABRIQUES_SQLITE_SYNCHRONOUS": "NORMAL", "PYTHONPATH": str(ROOT)}
    environment.pop("DATABASE_URL", None)
    return environment


def test_every_model_change_has_its_migration(tmp_path):
    # A child process: in this one pytest-django has switched the migrations off.
    done = subprocess.run([sys.executable, "-m", "fabriques", "makemigrations", "--check", "--dry-run"],
                          env=_environment(tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, f"models changed without a migration:\n{done.stdout}{done.stderr}"


def _migrate(environment: dict[str, str]) -> dict[str, list[list]]:
    subprocess.run([sys.executable, "-m", "fabriques", "migrate", "--no-input", "-v0"],
                   env=environment, cwd=ROOT, check=True, timeout=600)
    done = subprocess.run([sys.executable, "-c", SCHEMA_SCRIPT], env=environment, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, check=True, timeout=300)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_the_migrations_from_an_empty_database_give_the_models_schema(tmp_path):
    environment = _environment(tmp_path)
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_migrations"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        # The run's own URL (user, host, port, options), naming the new database.
        environment["DATABASE_URL"] = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
        try:
            migrated = _migrate(environment)
        finally:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    else:
        migrated = _migrate(environment)

    from_models = schema_read()
    assert len(from_models) > 50  # every table of our apps is there
    assert sorted(migrated) == sorted(from_models)
    differences = {table: (migrated[table], from_models[table]) for table in from_models
                   if migrated[table] != from_models[table]}
    assert not differences, f"columns differ (migrated, from the models): {differences}"
