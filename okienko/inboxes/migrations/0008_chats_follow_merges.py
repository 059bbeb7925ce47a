"""Chat conversations of customers merged before merges moved them follow the merge.

Until merges recorded every domain's moved rows, a merge moved the source's tickets but left its
chat conversations pointing at the merged-away source: their later messages and the customer
page missed them. Each merge still in force (not undone), oldest first so that a chain of merges
ends at its last target, now moves the source's conversations to the target and records their
ids on the merge (``chat_conversations``), so undoing it moves them back, as for later merges.
"""

from django.db import migrations


def move_chats_of_merged_customers(apps, schema_editor):
    ChatConversation = apps.get_model("inboxes", "ChatConversation")
    CustomerMerge = apps.get_model("customers", "CustomerMerge")
    for merge in CustomerMerge.objects.filter(undone_at__isnull=True).order_by("created_at", "id"):
        left_behind = list(
            ChatConversation.objects.filter(customer_id=merge.source_id).values_list(
                "id", flat=True
            )
        )
        if not left_behind:
            continue
        ChatConversation.objects.filter(pk__in=left_behind).update(customer_id=merge.target_id)
        moved = merge.moved_ids.get("chat_conversations", [])
        merge.moved_ids = {**merge.moved_ids, "chat_conversations": [*moved, *left_behind]}
        merge.save(update_fields=["moved_ids"])


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_merge_moved_ids"),
        ("inboxes", "0007_email_oauth_refresh"),
    ]

    # Going back leaves the conversations where they are: with the customer they belong to.
    operations = [migrations.RunPython(move_chats_of_merged_customers, migrations.RunPython.noop)]
