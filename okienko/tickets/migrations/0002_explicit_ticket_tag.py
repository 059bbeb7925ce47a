"""Make the ticket–tag table an explicit model so it can carry a (tag, ticket) index.

The table, its columns and constraints stay as Django created them for the implicit
many-to-many; only the state changes, plus the new index.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TicketTag",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "tag",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="ticket_links",
                                to="tickets.tag",
                            ),
                        ),
                        (
                            "ticket",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tag_links",
                                to="tickets.ticket",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tickets_ticket_tags",
                        "unique_together": {("ticket", "tag")},
                    },
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="tags",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="tickets",
                        through="tickets.TicketTag",
                        to="tickets.tag",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="tickettag",
            index=models.Index(fields=["tag", "ticket"], name="ticket_tag_tag_ticket"),
        ),
    ]
