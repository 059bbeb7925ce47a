"""Test data built through the real actions, so tests exercise what production does."""

import itertools
from collections.abc import Sequence
from typing import Any

from okienko.accounts.actions import do_create_agent, do_create_api_token, do_create_team
from okienko.accounts.choices import Role
from okienko.accounts.models import Agent, Team
from okienko.customers.actions import IdentityInput, do_create_customer, do_record_consent
from okienko.customers.choices import ConsentPurpose
from okienko.customers.models import Consent, Customer
from okienko.inboxes.chat.actions import do_create_chat_inbox
from okienko.inboxes.models import ChatWidget
from okienko.kb import actions as kb_actions
from okienko.kb.documents import CategoryInput
from okienko.kb.models import Article
from okienko.kb.models import Category as KbCategory
from okienko.sla.actions import (
    CalendarInput,
    PolicyInput,
    TargetInput,
    do_save_calendar,
    do_save_policy,
)
from okienko.sla.models import Policy
from okienko.tickets.actions import do_create_ticket, do_save_category, do_save_custom_field
from okienko.tickets.choices import Channel
from okienko.tickets.models import Category, CustomField, Ticket

_sequence = itertools.count(1)


def make_agent(
    *,
    role: str = Role.AGENT,
    name: str = "",
    teams: Sequence[Team] = (),
    password: str = "haslo-testowe-123",
    language: str = "pl",
) -> Agent:
    number = next(_sequence)
    agent = do_create_agent(
        email=f"agent{number}@sklep.example",
        name=name or f"Agent {number}",
        password=password,
        role=role,
        language=language,
        acting_user=None,
    )
    for team in teams:
        team.members.add(agent)
    return agent


def make_team(*, name: str = "", members: Sequence[Agent] = ()) -> Team:
    return do_create_team(
        name=name or f"Zespół {next(_sequence)}", members=members, acting_user=None
    )


def make_token(agent: Agent) -> str:
    return do_create_api_token(agent=agent, name="test", acting_user=None)


def make_customer(*, name: str = "", email: str = "", **fields: Any) -> Customer:
    number = next(_sequence)
    return do_create_customer(
        name=name or f"Klient {number}",
        identities=[IdentityInput("email", email or f"klient{number}@poczta.example")],
        acting_user=None,
        **fields,
    )


def make_consent(
    customer: Customer,
    *,
    is_given: bool = True,
    text: str = "Zgadzam się na informacje marketingowe.",
    source: str = "chat",
    **fields: Any,
) -> Consent:
    """A marketing consent answer of ``customer``, given by default."""
    return do_record_consent(
        customer=customer,
        purpose=ConsentPurpose.MARKETING,
        is_given=is_given,
        text=text,
        source=source,
        **{"acting_user": None, **fields},
    )


def make_ticket(
    *,
    requester: Customer | None = None,
    subject: str = "",
    text: str = "Dzień dobry, mam pytanie.",
    channel: str = Channel.EMAIL,
    acting_user: Agent | None = None,
    **fields: Any,
) -> Ticket:
    return do_create_ticket(
        subject=subject or f"Zgłoszenie {next(_sequence)}",
        requester=requester or make_customer(),
        channel=channel,
        text=text,
        acting_user=acting_user,
        **fields,
    )


def make_category(*, name: str = "", parent: Category | None = None) -> Category:
    return do_save_category(
        category=None, name=name or f"Kategoria {next(_sequence)}", parent=parent, acting_user=None
    )


def make_custom_field(
    *,
    key: str,
    field_type: str,
    label: str = "",
    choices: Sequence[str] = (),
    is_required_to_solve: bool = False,
) -> CustomField:
    return do_save_custom_field(
        field=None,
        key=key,
        label=label or key,
        field_type=field_type,
        choices=choices,
        is_required_to_solve=is_required_to_solve,
        acting_user=None,
    )


def make_round_the_clock_policy(*, first_reply_minutes: int, name: str = "Całą dobę") -> Policy:
    """An SLA policy for every ticket with a first-reply target counted round the clock, so
    tests can put a deadline anywhere in time."""
    calendar = do_save_calendar(
        data=CalendarInput(
            name=name, country="", hours={str(day): [["00:00", "00:00"]] for day in range(7)}
        )
    )
    return do_save_policy(
        data=PolicyInput(
            name=name,
            calendar=calendar,
            targets=[TargetInput("normal", "first_reply", first_reply_minutes)],
        )
    )


def make_kb_category(*, name: str = "", slug: str = "", **fields: Any) -> KbCategory:
    number = next(_sequence)
    return kb_actions.do_save_category(
        data=CategoryInput(
            slug=slug or f"kategoria-{number}", name=name or f"Kategoria {number}", **fields
        )
    )


def make_article(
    *,
    title: str = "",
    body: str = "Treść artykułu.",
    language: str = "pl",
    category: KbCategory | None = None,
    status: str = "published",
    visibility: str = "public",
    acting_user: Agent | None = None,
    **fields: Any,
) -> Article:
    """An article written by ``acting_user`` (else an admin) and taken to ``status`` through
    the workflow by an admin."""
    editor = make_agent(role=Role.ADMIN)
    article = kb_actions.do_create_article(
        title=title or f"Artykuł {next(_sequence)}",
        body=body,
        language=language,
        category=category if category is not None else make_kb_category(),
        visibility=visibility,
        acting_user=acting_user or editor,
        **fields,
    )
    return kb_actions.do_take_article_to(article=article, status=status, acting_user=editor)


def make_chat_widget(*, name: str = "", team: Team | None = None, **fields: Any) -> ChatWidget:
    """A web chat inbox with its widget."""
    return do_create_chat_inbox(
        name=name or f"Czat {next(_sequence)}", team=team, acting_user=None, **fields
    )
