"""The wording and time of a chat visitor's consent answer live on the customer's consent record
(see 0009); the conversation keeps only the answer its widget shows back."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inboxes", "0009_consent_on_the_customer"),
    ]

    operations = [
        migrations.RemoveField(model_name="chatconversation", name="consent_at"),
        migrations.RemoveField(model_name="chatconversation", name="consent_text"),
    ]
