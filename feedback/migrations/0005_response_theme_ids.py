"""Themes move into the response row; the response table keeps one index besides its key.

Why: at a million rows a file, the tag table's rows and the (source, key) and (organization,
id) B-trees cost the import more than PostgreSQL's whole COPY of the file (docs/feedback.md).
"""

from django.db import migrations

import feedback.themeids

MOVE_TAGS = {
    "postgresql": """
        UPDATE feedback_response r
        SET theme_ids = t.all_ids, manual_theme_ids = t.manual_ids
        FROM (
            SELECT response_id,
                   array_agg(theme_id ORDER BY theme_id)::integer[] AS all_ids,
                   COALESCE(array_agg(theme_id ORDER BY theme_id) FILTER (WHERE manual),
                            '{}')::integer[] AS manual_ids
            FROM feedback_responsetheme GROUP BY response_id
        ) t
        WHERE r.id = t.response_id
    """,
    "sqlite": """
        UPDATE feedback_response
        SET theme_ids = (
                SELECT json_group_array(theme_id) FROM (
                    SELECT theme_id FROM feedback_responsetheme
                    WHERE response_id = feedback_response.id ORDER BY theme_id)),
            manual_theme_ids = (
                SELECT json_group_array(theme_id) FROM (
                    SELECT theme_id FROM feedback_responsetheme
                    WHERE response_id = feedback_response.id AND manual ORDER BY theme_id))
        WHERE id IN (SELECT response_id FROM feedback_responsetheme)
    """,
}
ORG_INDEX = {
    # Imports append an organization's rows in blocks: a BRIN index finds them for a few
    # kilobytes and next to no work per written row.
    "postgresql": "CREATE INDEX response_org_source ON feedback_response "
    "USING brin (organization_id, source_id)",
    "sqlite": "CREATE INDEX response_org_source ON feedback_response (organization_id, source_id)",
}


def move_tags(apps, schema_editor):
    schema_editor.execute(MOVE_TAGS[schema_editor.connection.vendor])


def create_org_index(apps, schema_editor):
    schema_editor.execute(ORG_INDEX[schema_editor.connection.vendor])


def drop_org_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS response_org_source")


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0004_response_org_id_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="manual_theme_ids",
            field=feedback.themeids.ThemeIds(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="response",
            name="theme_ids",
            field=feedback.themeids.ThemeIds(blank=True, default=list),
        ),
        # Forwards only: going back would need the tag table's rows rebuilt from the lists.
        migrations.RunPython(move_tags, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(name="ResponseTheme"),
        migrations.RemoveConstraint(model_name="response", name="response_unique_key"),
        migrations.RemoveIndex(model_name="response", name="response_org_id"),
        migrations.RunPython(create_org_index, drop_org_index),
    ]
