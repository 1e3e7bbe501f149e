"""An index for the alignment engine's read of each customer's latest scored response per
period (alignment/engine/reads.py `_latest_sql_pg`): with it that read is an index scan in the
order it needs, without sorting a million rows. PostgreSQL only: byte-order ("C") keys have no
equivalent on SQLite, where the engine's read sorts instead."""

from django.db import migrations

NAME = "response_customer_latest"
CREATE = f"""
    CREATE INDEX IF NOT EXISTS {NAME} ON feedback_response (
        organization_id, customer_id COLLATE "C", responded_at DESC,
        response_id COLLATE "C" DESC, id DESC
    ) INCLUDE (nps) WHERE nps IS NOT NULL AND customer_id <> ''
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("feedback", "0006_theme_answered_by")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
