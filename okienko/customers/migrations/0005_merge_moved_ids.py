"""A merge records the rows every domain moved (tickets, chat conversations...) by the domain's
handler name, instead of the tickets alone."""

from django.db import migrations, models


def tickets_into_moved_ids(apps, schema_editor):
    CustomerMerge = apps.get_model("customers", "CustomerMerge")
    for merge in CustomerMerge.objects.all():
        merge.moved_ids = {"tickets": merge.moved_ticket_ids}
        merge.save(update_fields=["moved_ids"])


def moved_ids_into_tickets(apps, schema_editor):
    CustomerMerge = apps.get_model("customers", "CustomerMerge")
    for merge in CustomerMerge.objects.all():
        merge.moved_ticket_ids = merge.moved_ids.get("tickets", [])
        merge.save(update_fields=["moved_ticket_ids"])


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_chat"),
    ]

    operations = [
        migrations.AddField(
            model_name="customermerge",
            name="moved_ids",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(tickets_into_moved_ids, moved_ids_into_tickets),
        migrations.RemoveField(
            model_name="customermerge",
            name="moved_ticket_ids",
        ),
    ]
