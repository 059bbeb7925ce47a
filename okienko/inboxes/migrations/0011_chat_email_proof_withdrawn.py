"""A chat conversation remembers when an undone customer merge withdrew the proof of its
visitor's address, so its widget can say so until the visitor saves the address again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inboxes", "0010_conversation_consent_fields_removed"),
    ]

    operations = [
        migrations.AddField(
            model_name="chatconversation",
            name="email_proof_withdrawn_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
