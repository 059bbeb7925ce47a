"""Message.external_id keeps one plain index: PostgreSQL's second one for LIKE (``db_index``
on a CharField) served no query and cost every new message an index update."""

from django.db import migrations, models

# The names Django gave the indexes of ``db_index=True`` (a hash of table and column).
FIELD_INDEX = "tickets_message_external_id_b6347007"
PATTERN_INDEX = f"{FIELD_INDEX}_like"  # PostgreSQL only: varchar_pattern_ops, for LIKE


def keep_one_plain_index(apps, schema_editor):
    """Drop the LIKE index nothing queries and keep the plain one under its new name: renamed
    on PostgreSQL, so a large install does not build it again."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{PATTERN_INDEX}"')
        schema_editor.execute(f'ALTER INDEX "{FIELD_INDEX}" RENAME TO "message_external_id"')
    else:
        schema_editor.execute(f'DROP INDEX "{FIELD_INDEX}"')
        schema_editor.execute(
            'CREATE INDEX "message_external_id" ON "tickets_message" ("external_id")'
        )


def restore_field_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER INDEX "message_external_id" RENAME TO "{FIELD_INDEX}"')
        schema_editor.execute(
            f'CREATE INDEX "{PATTERN_INDEX}" ON "tickets_message" '
            '("external_id" varchar_pattern_ops)'
        )
    else:
        schema_editor.execute('DROP INDEX "message_external_id"')
        schema_editor.execute(f'CREATE INDEX "{FIELD_INDEX}" ON "tickets_message" ("external_id")')


class Migration(migrations.Migration):
    dependencies = [("tickets", "0010_queue_statistics")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="external_id",
                    field=models.CharField(blank=True, default="", max_length=255),
                ),
                migrations.AddIndex(
                    model_name="message",
                    index=models.Index(fields=["external_id"], name="message_external_id"),
                ),
            ],
            database_operations=[migrations.RunPython(keep_one_plain_index, restore_field_indexes)],
        )
    ]
