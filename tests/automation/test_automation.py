"""Triggers, time rules and macros: rules as data, fired and recorded, never looping."""

import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from okienko.automation.actions import (
    MacroInput,
    RuleInput,
    do_apply_macro,
    do_delete_rule,
    do_dry_run,
    do_run_time_rules,
    do_run_triggers,
    do_save_macro,
    do_save_rule,
)
from okienko.automation.models import RuleFiring
from okienko.automation.placeholders import render
from okienko.automation.selectors import _active_rules, active_rules, facts_for
from okienko.core.errors import InvalidInput
from okienko.testing.factories import (
    make_agent,
    make_customer,
    make_round_the_clock_policy,
    make_ticket,
)
from okienko.tickets.actions import do_add_customer_message, do_change_status, do_reply
from okienko.tickets.choices import AuthorKind
from okienko.tickets.models import Message, Ticket, TicketEvent


def trigger(name, event, conditions, operations, **fields):
    return do_save_rule(
        data=RuleInput(
            kind="trigger",
            name=name,
            event=event,
            conditions=conditions,
            operations=operations,
            **fields,
        )
    )


def time_rule(name, conditions, operations):
    return do_save_rule(
        data=RuleInput(kind="time", name=name, conditions=conditions, operations=operations)
    )


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def tags(ticket: Ticket) -> set[str]:
    return set(ticket.tags.values_list("name", flat=True))


def test_a_trigger_on_a_new_ticket_sets_fields_and_leaves_a_note(db, live):
    trigger(
        "Reklamacje pilnie",
        "ticket_created",
        [{"field": "subject", "operator": "contains", "value": "REKLAMACJA"}],
        [
            {"type": "set_priority", "value": "high"},
            {"type": "add_tags", "tags": ["reklamacja"]},
            {"type": "add_note", "text": "Reklamacja #{{ ticket.number }} – sprawdź termin."},
        ],
    )
    complaint = live(make_ticket, subject="Reklamacja czajnika")
    other = live(make_ticket, subject="Pytanie o dostawę")
    assert fresh(complaint).priority == "high"
    assert tags(complaint) == {"reklamacja"}
    note = Message.objects.get(ticket=complaint, is_public=False)
    assert note.text == f"Reklamacja #{complaint.pk} – sprawdź termin."
    assert note.author_kind == AuthorKind.SYSTEM
    change = TicketEvent.objects.get(ticket=complaint, field="priority")
    assert change.rule == "Reklamacje pilnie"
    assert fresh(other).priority == "normal"
    assert RuleFiring.objects.get().ticket_id == complaint.pk


def test_any_condition_and_customer_messages(db, live):
    trigger(
        "Pilne słowa",
        "customer_message",
        [
            {"field": "message", "operator": "contains", "value": "pilne"},
            {"field": "message", "operator": "contains", "value": "natychmiast"},
        ],
        [{"type": "set_priority", "value": "urgent"}],
        match="any",
    )
    ticket = make_ticket(text="Dzień dobry")
    live(do_add_customer_message, ticket=ticket, text="To naprawdę PILNE!")
    assert fresh(ticket).priority == "urgent"


def test_a_later_trigger_sees_what_an_earlier_one_changed(db, live):
    trigger(
        "Reklamacja pilnie",
        "ticket_created",
        [{"field": "subject", "operator": "contains", "value": "reklamacja"}],
        [{"type": "set_priority", "value": "high"}],
        position=1,
    )
    trigger(
        "Pilne do kolejki",
        "ticket_created",
        [{"field": "priority", "operator": "is", "value": "high"}],
        [{"type": "add_tags", "tags": ["kolejka-pilne"]}],
        position=2,
    )
    ticket = live(make_ticket, subject="Reklamacja pralki")
    assert fresh(ticket).priority == "high"
    assert tags(ticket) == {"kolejka-pilne"}
    firings = list(RuleFiring.objects.order_by("id").values_list("rule_name", flat=True))
    assert firings == ["Reklamacja pilnie", "Pilne do kolejki"]


def test_an_event_no_trigger_matches_reads_the_facts_once(db, monkeypatch):
    # The rules' version is not read again during the test.
    monkeypatch.setattr(_active_rules, "_recheck_seconds", 3600.0)
    ticket = make_ticket(channel="email")
    for number in range(30):
        trigger(
            f"WhatsApp {number}",
            "customer_message",
            [{"field": "channel", "operator": "is", "value": "whatsapp"}],
            [{"type": "add_tags", "tags": ["whatsapp"]}],
        )
    do_run_triggers(event="customer_message", ticket_id=ticket.pk)  # loads the rules
    with CaptureQueriesContext(connection) as facts_queries:
        facts_for([ticket.pk])
    with CaptureQueriesContext(connection) as event_queries:
        firings = do_run_triggers(event="customer_message", ticket_id=ticket.pk)
    assert firings == []
    assert len(event_queries) == len(facts_queries)
    assert not RuleFiring.objects.exists()
    assert tags(ticket) == set()


def test_rules_cannot_loop(db, live):
    trigger(
        "W górę",
        "ticket_updated",
        [{"field": "priority", "operator": "is", "value": "normal"}],
        [{"type": "set_priority", "value": "high"}],
        position=1,
    )
    trigger(
        "W dół",
        "ticket_updated",
        [{"field": "priority", "operator": "is", "value": "high"}],
        [{"type": "set_priority", "value": "normal"}],
        position=2,
    )
    ticket = make_ticket()
    live(do_change_status, ticket=ticket, status="open", acting_user=None)
    # A rule fires at most once per chain of events it started, so the ping-pong ends after
    # each rule has had its turn on each branch (the test finishing at all is the point).
    firings = list(RuleFiring.objects.order_by("id").values_list("rule_name", flat=True))
    assert firings == ["W górę", "W dół", "W górę"]


def test_a_rule_feeding_itself_fires_once(db, live):
    trigger("Znacznik", "ticket_updated", [], [{"type": "add_tags", "tags": ["widziane"]}])
    ticket = make_ticket()
    live(do_change_status, ticket=ticket, status="open", acting_user=None)
    assert RuleFiring.objects.count() == 1


def test_a_failing_rule_changes_nothing_and_says_why(db, live):
    trigger(
        "Powitanie",
        "ticket_created",
        [],
        [
            {"type": "set_priority", "value": "high"},
            {"type": "send_email", "text": "Dzień dobry {{ agent.first_name }}!"},
        ],
    )
    ticket = live(make_ticket)
    firing = RuleFiring.objects.get(ticket=ticket)
    assert "agent.first_name" in firing.error
    assert fresh(ticket).priority == "normal"  # all or nothing
    assert not Message.objects.filter(ticket=ticket, author_kind=AuthorKind.SYSTEM).exists()


def test_a_rule_e_mails_the_customer_with_placeholders_filled(db, live):
    trigger(
        "Potwierdzenie",
        "ticket_created",
        [{"field": "channel", "operator": "is", "value": "web_form"}],
        [
            {
                "type": "send_email",
                "text": "Dzień dobry {{ customer.first_name }}, mamy #{{ ticket.number }}.",
            }
        ],
    )
    ticket = live(make_ticket, channel="web_form", requester=make_customer(name="Ewa Nowak"))
    reply = Message.objects.get(ticket=ticket, author_kind=AuthorKind.SYSTEM)
    assert reply.text == f"Dzień dobry Ewa, mamy #{ticket.pk}."
    assert reply.is_public


def test_dry_run_shows_what_would_happen(db):
    rule = trigger(
        "VIP",
        "ticket_updated",
        [{"field": "tags", "operator": "contains", "value": "vip"}],
        [{"type": "set_priority", "value": "high"}],
    )
    vip = make_ticket(tags=["vip"])
    plain = make_ticket()
    assert do_dry_run(rule=rule, ticket=vip).matches is True
    result = do_dry_run(rule=rule, ticket=plain)
    assert result.matches is False
    assert result.facts["tags"] == []
    assert not RuleFiring.objects.exists()
    assert fresh(vip).priority == "normal"


def test_invalid_rules_are_refused_with_reasons(db):
    with pytest.raises(InvalidInput) as error:
        trigger("X", "ticket_created", [{"field": "colour", "operator": "is", "value": 1}], [])
    assert "conditions[0]" in error.value.errors
    with pytest.raises(InvalidInput):
        trigger("X", "nothing", [], [{"type": "set_priority", "value": "high"}])
    with pytest.raises(InvalidInput) as error:
        trigger("X", "ticket_created", [], [{"type": "send_email", "text": "{{ customer.pesel }}"}])
    assert "customer.pesel" in str(error.value.errors)
    with pytest.raises(InvalidInput):
        trigger("X", "ticket_created", [], [{"type": "format_disk"}])


def test_a_deleted_rule_stops_firing(db, live):
    rule = trigger("Tag", "ticket_created", [], [{"type": "add_tags", "tags": ["x"]}])
    assert tags(live(make_ticket)) == {"x"}
    do_delete_rule(rule=rule)
    assert tags(live(make_ticket)) == set()


def test_time_rules_fire_once_per_status_spell(db, live):
    time_rule(
        "Przypomnienie po 3 dniach",
        [
            {"field": "status", "operator": "is", "value": "pending"},
            {"field": "hours_in_status", "operator": "greater_than", "value": 72},
        ],
        [{"type": "send_email", "text": "Czekamy na odpowiedź w sprawie #{{ ticket.number }}."}],
    )
    agent = make_agent()
    start = timezone.now() - timedelta(days=10)
    ticket = make_ticket(at=start)
    do_reply(
        ticket=ticket, text="Prosimy o zdjęcie.", status="pending", acting_user=agent, at=start
    )
    now = timezone.now()
    assert do_run_time_rules(now=start + timedelta(days=2)) == 0
    assert do_run_time_rules(now=now) == 1
    assert do_run_time_rules(now=now + timedelta(hours=1)) == 0
    reminders = Message.objects.filter(ticket=ticket, author_kind=AuthorKind.SYSTEM)
    assert [m.text for m in reminders] == [f"Czekamy na odpowiedź w sprawie #{ticket.pk}."]
    # A new pending spell earns a new reminder once it is old enough.
    do_change_status(ticket=fresh(ticket), status="open", acting_user=None, at=now)
    do_change_status(ticket=fresh(ticket), status="pending", acting_user=None, at=now)
    assert do_run_time_rules(now=now + timedelta(days=1)) == 0
    assert do_run_time_rules(now=now + timedelta(days=4)) == 1


def test_solved_tickets_close_after_four_days(db):
    time_rule(
        "Zamknij rozwiązane",
        [
            {"field": "status", "operator": "is", "value": "solved"},
            {"field": "hours_in_status", "operator": "greater_than", "value": 96},
        ],
        [{"type": "set_status", "value": "closed"}],
    )
    old = timezone.now() - timedelta(days=5)
    ticket = make_ticket(at=old)
    do_change_status(ticket=ticket, status="solved", acting_user=None, at=old)
    recent = make_ticket()
    do_change_status(ticket=recent, status="solved", acting_user=None)
    assert do_run_time_rules() == 1
    assert fresh(ticket).status == "closed"
    assert fresh(recent).status == "solved"


def test_a_macro_changes_the_ticket_and_drafts_the_reply(db):
    macro = do_save_macro(
        data=MacroInput(
            name="Zwrot przyjęty",
            reply=(
                "Dzień dobry {{ customer.first_name }},\n"
                "zwrot #{{ ticket.number }} przyjęty.\n{{ agent.name }}"
            ),
            operations=[
                {"type": "add_tags", "tags": ["zwrot"]},
                {"type": "set_status", "value": "pending"},
            ],
        )
    )
    agent = make_agent(name="Anna Kowalska")
    ticket = make_ticket(requester=make_customer(name="Jan Nowak"))
    draft = do_apply_macro(macro=macro, ticket=ticket, agent=agent)
    assert draft.text == f"Dzień dobry Jan,\nzwrot #{ticket.pk} przyjęty.\nAnna Kowalska"
    assert draft.is_complete
    assert fresh(ticket).status == "pending"
    assert tags(ticket) == {"zwrot"}
    event = TicketEvent.objects.get(ticket=ticket, field="status")
    assert event.rule == "macro: Zwrot przyjęty"
    assert event.actor_agent == agent


def test_a_missing_value_shows_and_is_never_an_empty_gap():
    rendered = render("Dzień dobry {{ customer.first_name }}, termin: {{ sla.due }}.", {})
    assert rendered.text == "Dzień dobry [?customer.first_name], termin: [?sla.due]."
    assert rendered.missing == ("customer.first_name", "sla.due")
    assert not rendered.is_complete


def test_sla_events_trigger_rules(db, live):
    from okienko.sla.actions import do_sweep_sla

    make_round_the_clock_policy(first_reply_minutes=60)
    trigger(
        "Po terminie",
        "sla_breached",
        [],
        [
            {"type": "add_tags", "tags": ["po-terminie"]},
            {"type": "set_priority", "value": "urgent"},
        ],
    )
    ticket = live(make_ticket, at=timezone.now() - datetime.timedelta(hours=2))
    live(do_sweep_sla)
    assert tags(ticket) == {"po-terminie"}
    assert fresh(ticket).priority == "urgent"


def test_an_admin_writes_a_rule_and_bad_conditions_are_explained(db):
    from django.test import Client

    from okienko.accounts.choices import Role
    from okienko.automation.models import Rule

    client = Client()
    client.force_login(make_agent(role=Role.ADMIN))
    form = {
        "kind": "trigger",
        "event": "ticket_created",
        "name": "VIP",
        "position": "0",
        "is_active": "on",
        "match": "all",
        "conditions": '[{"field": "tier", "operator": "is", "value": "premium"}]',
        "operations": '[{"type": "set_priority", "value": "high"}]',
    }
    page = client.get("/admin/automation/rule/add/").content.decode()
    assert "hours_in_status" in page  # the fields are listed for the admin
    bad = client.post("/admin/automation/rule/add/", {**form, "conditions": '[{"field": "kolor"}]'})
    assert bad.status_code == 200
    assert "unknown field" in bad.content.decode()
    good = client.post("/admin/automation/rule/add/", form)
    assert good.status_code == 302
    rule = Rule.objects.get(name="VIP")
    assert rule.conditions == [{"field": "tier", "operator": "is", "value": "premium"}]


def test_an_agent_applies_a_macro_and_cannot_send_a_gap(db):
    from django.test import Client

    macro = do_save_macro(
        data=MacroInput(
            name="Prośba o zdjęcie",
            reply="Dzień dobry {{ customer.first_name }}, prosimy o zdjęcie.",
            operations=[{"type": "set_status", "value": "open"}],
        )
    )
    agent = make_agent(name="Anna Kowalska", role="admin")
    client = Client()
    client.force_login(agent)
    ticket = make_ticket(requester=make_customer(name=" "))  # no name on record
    page = client.post(f"/tickets/{ticket.pk}/macro/", {"macro": macro.pk}).content.decode()
    assert "Dzień dobry [?customer.first_name], prosimy o zdjęcie." in page
    assert fresh(ticket).status == "open"
    sent = client.post(
        f"/tickets/{ticket.pk}/messages/",
        {"kind": "reply", "text": "Dzień dobry [?customer.first_name], prosimy o zdjęcie."},
    )
    assert sent.status_code == 422
    assert not Message.objects.filter(ticket=ticket, author_kind=AuthorKind.AGENT).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rules_and_macros_follow_a_renamed_and_a_merged_tag():
    from okienko.tickets.actions import do_merge_tags, do_rename_tag
    from okienko.tickets.models import Tag

    admin = make_agent(role="admin")
    make_ticket(tags=["zwrot", "pilne", "vip"])
    rule = trigger(
        "Zwroty VIP",
        "ticket_created",
        [
            {"field": "tags", "operator": "contains", "value": "Zwrot"},
            {"field": "tags", "operator": "in", "value": ["vip", "pilne"]},
            {"field": "subject", "operator": "contains", "value": "zwrot"},
        ],
        [{"type": "add_tags", "tags": ["zwrot", "sprawdzone"]}],
    )
    macro = do_save_macro(
        data=MacroInput(
            name="Zwrot", reply="", operations=[{"type": "remove_tags", "tags": ["zwrot"]}]
        )
    )

    do_rename_tag(tag=Tag.objects.get(name="zwrot"), name="zwrot-towaru", acting_user=admin)
    do_merge_tags(
        source=Tag.objects.get(name="pilne"), target=Tag.objects.get(name="vip"), acting_user=admin
    )

    rule.refresh_from_db()
    macro.refresh_from_db()
    assert [condition["value"] for condition in rule.conditions] == [
        "zwrot-towaru",
        ["vip"],  # both named the same tag after the merge: once
        "zwrot",  # the subject is text, not a tag
    ]
    assert rule.operations == [{"type": "add_tags", "tags": ["zwrot-towaru", "sprawdzone"]}]
    assert macro.operations == [{"type": "remove_tags", "tags": ["zwrot-towaru"]}]
    # The rules cache learned of the change: the next event sees the new names.
    cached = active_rules("trigger", "ticket_created")
    assert [cached_rule.conditions for cached_rule in cached] == [rule.conditions]
