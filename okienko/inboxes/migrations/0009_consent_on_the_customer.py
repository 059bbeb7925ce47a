"""A chat visitor's consent answer is recorded on their customer (customers.Consent), where every
consent lives; the conversation keeps only the answer its widget shows back (0010 drops the
rest, in a transaction of its own: PostgreSQL alters no table with rows written in the same one).

Each answer a conversation holds (given or withdrawn, with its wording and time) becomes a
consent record of the conversation's customer, naming the conversation as where it was given.
A visitor who answered but never wrote has no customer yet: they get one, known by the
conversation (a chat identity), as the chat gives every visitor before their first message.
"""

from django.db import migrations

DEFAULT_TIER_SLUG = "consumer"


def consents_onto_customers(apps, schema_editor):
    ChatConversation = apps.get_model("inboxes", "ChatConversation")
    Consent = apps.get_model("customers", "Consent")
    Customer = apps.get_model("customers", "Customer")
    Identity = apps.get_model("customers", "Identity")
    Tier = apps.get_model("customers", "Tier")
    answered = ChatConversation.objects.filter(consent_at__isnull=False).order_by("id")
    for conversation in answered:
        address = f"conversation-{conversation.pk}"
        if conversation.customer_id is None:
            identity = Identity.objects.filter(kind="chat", address=address).first()
            if identity is None:
                tier = Tier.objects.filter(slug=DEFAULT_TIER_SLUG).first() or Tier.objects.first()
                customer = Customer.objects.create(
                    name=conversation.name,
                    language=conversation.language,
                    tier=tier,
                )
                identity = Identity.objects.create(customer=customer, kind="chat", address=address)
            conversation.customer_id = identity.customer_id
            conversation.save(update_fields=["customer"])
        Consent.objects.create(
            customer_id=conversation.customer_id,
            purpose="marketing",
            is_given=conversation.marketing_consent,
            text=conversation.consent_text if conversation.marketing_consent else "",
            source="chat",
            source_reference=address,
            recorded_at=conversation.consent_at,
        )


def consents_onto_conversations(apps, schema_editor):
    ChatConversation = apps.get_model("inboxes", "ChatConversation")
    Consent = apps.get_model("customers", "Consent")
    for consent in Consent.objects.filter(source="chat").order_by("recorded_at", "id"):
        conversation_id = consent.source_reference.removeprefix("conversation-")
        ChatConversation.objects.filter(pk=conversation_id).update(
            consent_text=consent.text, consent_at=consent.recorded_at
        )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_consent"),
        ("inboxes", "0008_chats_follow_merges"),
    ]

    operations = [
        migrations.RunPython(consents_onto_customers, consents_onto_conversations),
    ]
