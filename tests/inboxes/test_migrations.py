"""Data migrations of the inboxes: what they do to rows an older version left."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from okienko.accounts.choices import Role
from okienko.customers.actions import do_merge_customers, do_undo_customer_merge
from okienko.customers.choices import IdentityKind
from okienko.customers.models import Consent, CustomerMerge
from okienko.customers.selectors import customer_with_identity
from okienko.inboxes.chat.actions import do_give_visitor_a_customer, do_start_conversation
from okienko.inboxes.models import ChatConversation
from okienko.testing.factories import make_agent, make_customer


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


@pytest.mark.django_db
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


@pytest.mark.django_db
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


BEFORE_CONSENTS_MOVED = [("inboxes", "0008_chats_follow_merges"), ("customers", "0006_consent")]
CONSENTS_MOVED = [("inboxes", "0010_conversation_consent_fields_removed")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_consent_answers_kept_on_conversations_become_their_customers_consents():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_CONSENTS_MOVED)
    old = executor.loader.project_state(BEFORE_CONSENTS_MOVED).apps
    Tier = old.get_model("customers", "Tier")
    Customer = old.get_model("customers", "Customer")
    Inbox = old.get_model("inboxes", "Inbox")
    Conversation = old.get_model("inboxes", "ChatConversation")
    tier = Tier.objects.get_or_create(slug="consumer", defaults={"name": "B2C"})[0]
    inbox = Inbox.objects.create(name="Czat", kind="chat")
    given_at = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)
    writer = Customer.objects.create(name="Jan", tier=tier)

    def conversation(number: int, **fields):
        return Conversation.objects.create(
            inbox=inbox, visitor_token_hash=f"{number:064}", started_at=given_at, **fields
        )

    wrote = conversation(1, customer=writer, marketing_consent=True, consent_text="Tak.")
    Conversation.objects.filter(pk=wrote.pk).update(consent_at=given_at)
    silent = conversation(2, name="Ewa", marketing_consent=False, consent_at=given_at)
    never = conversation(3)

    executor.loader.build_graph()
    executor.migrate(CONSENTS_MOVED)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    answers = Consent.objects.order_by("id")
    assert [
        (c.customer_id, c.is_given, c.text, c.source, c.source_reference, c.recorded_at)
        for c in answers
    ] == [
        (writer.pk, True, "Tak.", "chat", f"conversation-{wrote.pk}", given_at),
        (answers[1].customer_id, False, "", "chat", f"conversation-{silent.pk}", given_at),
    ]
    silent_visitor = ChatConversation.objects.get(pk=silent.pk).customer
    assert silent_visitor == customer_with_identity(IdentityKind.CHAT, f"conversation-{silent.pk}")
    assert (silent_visitor.pk, silent_visitor.name) == (answers[1].customer_id, "Ewa")
    assert ChatConversation.objects.get(pk=never.pk).customer is None
