"""Data migrations of the inboxes: what they do to rows an older version left."""

import importlib

import pytest
from django.apps import apps

from okienko.accounts.choices import Role
from okienko.customers.actions import do_merge_customers, do_undo_customer_merge
from okienko.customers.models import CustomerMerge
from okienko.inboxes.chat.actions import do_give_visitor_a_customer, do_start_conversation
from okienko.inboxes.models import ChatConversation
from okienko.testing.factories import make_agent, make_customer

pytestmark = pytest.mark.django_db


def _chat_with_a_customer(widget):
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    return conversation, do_give_visitor_a_customer(conversation=conversation)


def _merged_before_merges_moved_chats(*, source, target) -> CustomerMerge:
    """A merge as the version before merges moved chats left it: the conversations stayed with
    the source and the record knows only the tickets."""
    merge = do_merge_customers(source=source, target=target, acting_user=None)
    ChatConversation.objects.filter(pk__in=merge.moved_ids["chat_conversations"]).update(
        customer=source
    )
    CustomerMerge.objects.filter(pk=merge.pk).update(moved_ids={"tickets": []})
    return merge


def _move_chats_of_merged_customers() -> None:
    migration = importlib.import_module("okienko.inboxes.migrations.0008_chats_follow_merges")
    migration.move_chats_of_merged_customers(apps, None)


def test_chats_left_with_a_merged_customer_follow_the_merge_and_its_undo(widget):
    zofia = make_customer(name="Zofia Wójcik", email="zofia@poczta.example")
    conversation, visitor = _chat_with_a_customer(widget)
    merge = _merged_before_merges_moved_chats(source=visitor, target=zofia)

    _move_chats_of_merged_customers()

    conversation.refresh_from_db()
    merge.refresh_from_db()
    assert conversation.customer == zofia
    assert merge.moved_ids == {"tickets": [], "chat_conversations": [conversation.pk]}
    do_undo_customer_merge(merge=merge, acting_user=make_agent(role=Role.ADMIN))
    conversation.refresh_from_db()
    assert conversation.customer == visitor


def test_a_chain_of_merges_ends_at_its_last_target_and_undone_merges_move_nothing(widget):
    zofia = make_customer(name="Zofia Wójcik", email="zofia@poczta.example")
    chained, first_visitor = _chat_with_a_customer(widget)
    _merged_before_merges_moved_chats(source=first_visitor, target=zofia)
    later = make_customer(name="Zofia", email="z@poczta.example")
    _merged_before_merges_moved_chats(source=zofia, target=later)
    kept, second_visitor = _chat_with_a_customer(widget)
    undone = _merged_before_merges_moved_chats(source=second_visitor, target=later)
    do_undo_customer_merge(merge=undone, acting_user=None)

    _move_chats_of_merged_customers()

    chained.refresh_from_db()
    kept.refresh_from_db()
    assert chained.customer == later
    assert kept.customer == second_visitor
    assert [
        m.moved_ids.get("chat_conversations") for m in CustomerMerge.objects.order_by("id")
    ] == [
        [chained.pk],
        [chained.pk],
        None,
    ]
