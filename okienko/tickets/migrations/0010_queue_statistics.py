"""PostgreSQL statistics on how a ticket's status goes with its assignee and with its team.

The planner otherwise takes them as independent: for "my open tickets, most urgent first" it
expected an agent's share of the 50,000 "new" tickets, while no new ticket has an assignee, and
walked every new ticket along the deadline index to find none (at 1M tickets: 84 ms, against
under 1 ms once it knows). SQLite has no such statistics; its queries are planned otherwise.
"""

from django.db import migrations

_STATISTICS = {
    "ticket_assignee_status_stats": "assignee_id, status",
    "ticket_team_status_stats": "team_id, status",
}


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in _STATISTICS.items():
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {name} (mcv, dependencies) "  # noqa: S608
            f"ON {columns} FROM tickets_ticket"
        )
    # Filled now rather than at the next automatic analyse of a busy table.
    schema_editor.execute("ANALYZE tickets_ticket")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _STATISTICS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0009_alter_ticketevent_kind")]

    operations = [migrations.RunPython(create_statistics, drop_statistics)]
