"""The database cache table (CACHES["default"]): allauth's rate limits and used TOTP codes, shared by every server.

`createcachetable` is run here so that `migrate` alone prepares a database (it does nothing when the table exists).
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
