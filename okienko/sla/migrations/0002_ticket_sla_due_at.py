"""Fill ``Ticket.sla_due_at`` from the clocks stored before it existed, in one statement."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def store_nearest_deadlines(apps, schema_editor):
    Clock = apps.get_model("sla", "Clock")
    Ticket = apps.get_model("tickets", "Ticket")
    running = Clock.objects.filter(
        completed_at__isnull=True, running_since__isnull=False, due_at__isnull=False
    )
    nearest = running.filter(ticket_id=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
    Ticket.objects.filter(pk__in=running.values("ticket_id")).update(sla_due_at=Subquery(nearest))


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
        ("tickets", "0006_ticket_sla_due_at"),
    ]

    operations = [
        migrations.RunPython(store_nearest_deadlines, migrations.RunPython.noop, elidable=True),
    ]
