"""Load the demo data set: write ``plan_demo``'s plan into an empty install, all or nothing.

``load_demo`` replays the plan's timeline in time order through the domain actions, so every row
is made the way production makes it, with its history.
"""

import datetime
import time
from dataclasses import dataclass, field
from typing import Protocol

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from okienko.accounts.actions import do_create_agent, do_create_team
from okienko.accounts.models import Agent, Team
from okienko.ai.actions import do_set_inbox_bot
from okienko.ai.tasks import refresh_article_embeddings
from okienko.core.errors import Conflict, InvalidInput
from okienko.core.events import history_only
from okienko.customers.actions import (
    IdentityInput,
    default_tier,
    do_create_customer,
    do_create_organisation,
)
from okienko.customers.choices import IdentityKind
from okienko.customers.models import Customer, Organisation, Tier
from okienko.demo import shop
from okienko.demo.knowledge import write_help_center
from okienko.demo.lifecycle import Step, StepKind
from okienko.demo.people import ADMIN_EMAIL, TIER_BUSINESS, AgentPlan
from okienko.demo.plan import (
    DEFAULT_CUSTOMERS,
    DEFAULT_SEED,
    DEFAULT_TICKETS,
    HISTORY_DAYS,
    DemoPlan,
    plan_demo,
)
from okienko.demo.sla import write_sla
from okienko.inboxes.chat.actions import do_create_chat_inbox
from okienko.search.actions import do_reindex
from okienko.tickets.actions import (
    do_add_customer_message,
    do_add_note,
    do_assign,
    do_change_category,
    do_change_priority,
    do_change_status,
    do_create_ticket,
    do_merge_tickets,
    do_reply,
    do_save_category,
    do_save_custom_field,
    do_save_view,
    do_set_custom_fields,
    do_set_tags,
    do_update_ticket,
)
from okienko.tickets.choices import (
    UNSOLVED_STATUSES,
    CustomFieldType,
    Priority,
    Status,
    ViewAudience,
)
from okienko.tickets.models import Category, Message, Ticket, TicketEvent

# Published on purpose: it is printed after loading so anyone can sign in to the demo.
DEMO_PASSWORD = "okienko-demo"  # noqa: S105
LOGIN_URL = "http://127.0.0.1:8000/admin/"
# The demo shop's chat widget has a fixed key, so its page has an address worth printing.
CHAT_KEY = "sklep-demo"
SHOP_URL = f"http://127.0.0.1:8000/chat/try/{CHAT_KEY}/"
ORDER_NUMBER_FIELD = "order_number"


class Output(Protocol):
    """Where progress goes: a management command's ``self.stdout`` or any text stream."""

    def write(self, text: str, /) -> object: ...


class DemoAlreadyLoaded(Conflict):
    """The database already holds the demo, or data the demo must not be mixed into."""


@dataclass(frozen=True)
class DemoSummary:
    """What was loaded, counted from the database afterwards."""

    agents: tuple[AgentPlan, ...]
    teams: int
    organisations: int
    customers: int
    tickets: int
    public_messages: int
    internal_notes: int
    events: int
    statuses: dict[str, int]
    channels: dict[str, int]
    reopened_tickets: int
    transferred_tickets: int
    merged_tickets: int
    seconds: float

    def lines(self) -> list[str]:
        """The summary as printed by ``okienko demo``, ending with how to sign in."""
        statuses = ", ".join(f"{status} {self.statuses.get(status, 0)}" for status in Status)
        channels = ", ".join(f"{name} {count}" for name, count in sorted(self.channels.items()))
        agents = ", ".join(
            f"{agent.email} ({agent.role})" for agent in self.agents if agent.email != ADMIN_EMAIL
        )
        return [
            f"Demo loaded in {self.seconds:.1f} s:",
            f"  {len(self.agents)} agents in {self.teams} teams, {self.organisations} "
            f"organisations, {self.customers} customers",
            f"  {self.tickets} tickets: {statuses}",
            f"  channels: {channels}",
            f"  {self.public_messages} messages, {self.internal_notes} internal notes, "
            f"{self.events} ticket events",
            f"  {self.reopened_tickets} reopened, {self.transferred_tickets} transferred, "
            f"{self.merged_tickets} merged duplicates",
            f"Login: {LOGIN_URL}  e-mail: {ADMIN_EMAIL}  password: {DEMO_PASSWORD}",
            f"Demo shop with the chat widget: {SHOP_URL}",
            f"Other agents, same password: {agents}",
        ]


def load_demo(
    *,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    tickets: int = DEFAULT_TICKETS,
    stdout: Output | None = None,
    now: datetime.datetime | None = None,
) -> DemoSummary:
    """Load the demo into an empty install, all or nothing.

    Raises ``DemoAlreadyLoaded`` (and changes nothing) when the demo is there already or the
    database holds customers or tickets of its own. The demo is history: it sends nothing.
    """
    if customers < 1 or tickets < 1:
        raise InvalidInput("The demo needs at least one customer and one ticket")
    started = time.monotonic()
    with history_only(), transaction.atomic():
        _refuse_unless_empty()
        now = now or timezone.now()
        plan = plan_demo(seed=seed, customers=customers, tickets=tickets, now=now)
        _write(plan, stdout, now, seed)
    # History publishes no events, so nothing indexed it as it was written.
    do_reindex()
    return _summarise(plan, seconds=time.monotonic() - started)


def _refuse_unless_empty() -> None:
    if Agent.objects.filter(email=ADMIN_EMAIL).exists():
        raise DemoAlreadyLoaded(
            f"The demo is already loaded ({ADMIN_EMAIL} exists); nothing was changed."
        )
    if Customer.objects.exists() or Ticket.objects.exists():
        raise DemoAlreadyLoaded(
            "This database already has customers or tickets; the demo loads only into an empty "
            "install, so nothing was changed."
        )


@dataclass
class _Loaded:
    """The rows made so far, by the keys the plan uses."""

    agents: dict[str, Agent]
    teams: dict[str, Team]
    categories: dict[str, Category]
    customers: list[Customer]
    tickets: dict[int, Ticket] = field(default_factory=dict)


def _write(plan: DemoPlan, stdout: Output | None, now: datetime.datetime, seed: int) -> None:
    def say(line: str) -> None:
        if stdout is not None:
            stdout.write(f"{line}\n")

    say(
        f"Loading the demo: {len(plan.agents)} agents, {len(plan.organisations)} organisations, "
        f"{len(plan.customers)} customers, {len(plan.tickets)} tickets over {HISTORY_DAYS} days"
    )
    loaded = _write_people(plan)
    total = len(plan.tickets)
    for step in plan.steps:
        _apply(step, plan, loaded)
        if step.kind == StepKind.CREATE and len(loaded.tickets) % 100 == 0:
            say(f"  tickets: {len(loaded.tickets)}/{total}")
    if total % 100:
        say(f"  tickets: {total}/{total}")
    say("  SLA: calendar, policies and each ticket's deadlines")
    write_sla(sorted(ticket.pk for ticket in loaded.tickets.values()), now=now)
    articles = write_help_center(admin=loaded.agents[ADMIN_EMAIL], seed=seed)
    say(f"  help center: {articles} articles")
    widget = do_create_chat_inbox(
        name="Czat w sklepie",
        team=loaded.teams[shop.TEAM_ORDERS],
        greeting_pl="Dzień dobry! Pytania o zamówienie, dostawę albo zwrot? Piszcie śmiało.",
        greeting_en="Hello! Questions about an order, delivery or a return? Ask away.",
        public_key=CHAT_KEY,
        acting_user=loaded.agents[ADMIN_EMAIL],
    )
    # The bot answers the shop's chat first, from the help center, and hands over to orders.
    do_set_inbox_bot(
        inbox=widget.inbox, is_enabled=True, hand_off_team=loaded.teams[shop.TEAM_ORDERS]
    )
    # Embedding the articles takes a few seconds: the worker does it, not the first chat.
    refresh_article_embeddings()
    say(f"  web chat: the demo shop page {SHOP_URL}, answered first by the bot")


def _write_people(plan: DemoPlan) -> _Loaded:
    admin_plan, *other_plans = plan.agents
    admin = do_create_agent(
        email=admin_plan.email,
        name=admin_plan.name,
        password=DEMO_PASSWORD,
        role=admin_plan.role,
        acting_user=None,
    )
    agents = {admin.email: admin}
    for agent_plan in other_plans:
        agents[agent_plan.email] = do_create_agent(
            email=agent_plan.email,
            name=agent_plan.name,
            password=DEMO_PASSWORD,
            role=agent_plan.role,
            acting_user=admin,
        )
    teams = {
        key: do_create_team(
            name=name,
            members=[agents[a.email] for a in plan.agents if key in a.teams],
            acting_user=admin,
        )
        for key, name in shop.TEAM_NAMES.items()
    }
    categories = {
        name: do_save_category(category=None, name=name, parent=None, acting_user=admin)
        for name in shop.CATEGORIES
    }
    do_save_custom_field(
        field=None,
        key=ORDER_NUMBER_FIELD,
        label="Numer zamówienia",
        field_type=CustomFieldType.TEXT,
        is_required_to_solve=False,
        acting_user=admin,
    )
    # A view every agent finds in their inbox, shared by the admin.
    do_save_view(
        view=None,
        name="Pilne i wysokie",
        filters={
            "statuses": list(UNSOLVED_STATUSES),
            "priorities": [Priority.URGENT, Priority.HIGH],
        },
        audience=ViewAudience.EVERYONE,
        acting_user=admin,
    )
    tiers = {tier.slug: tier for tier in Tier.objects.all()}
    fallback_tier = default_tier()
    organisations: list[Organisation] = [
        do_create_organisation(
            name=o.name,
            nip=o.nip,
            tier=tiers.get(TIER_BUSINESS),
            domain=o.domain,
            acting_user=admin,
        )
        for o in plan.organisations
    ]
    customers = []
    for c in plan.customers:
        identities = [IdentityInput(IdentityKind.EMAIL, c.email, is_verified=True)]
        if c.phone:
            identities.append(IdentityInput(IdentityKind.PHONE, c.phone))
        customers.append(
            do_create_customer(
                name=c.name,
                identities=identities,
                tier=tiers.get(c.tier, fallback_tier),
                organisation=organisations[c.organisation] if c.organisation is not None else None,
                acting_user=admin,
            )
        )
    return _Loaded(agents=agents, teams=teams, categories=categories, customers=customers)


def _apply(step: Step, plan: DemoPlan, loaded: _Loaded) -> None:
    """Carry out one step through the action that production would call."""
    agent = loaded.agents[step.agent] if step.agent else None
    at = step.at
    if step.kind == StepKind.CREATE:
        ticket_plan = plan.tickets[step.ticket]
        loaded.tickets[step.ticket] = do_create_ticket(
            subject=ticket_plan.subject,
            requester=loaded.customers[ticket_plan.customer],
            channel=ticket_plan.channel,
            text=ticket_plan.text,
            priority=ticket_plan.priority,
            team=loaded.teams[ticket_plan.team],
            assignee=loaded.agents[ticket_plan.assignee] if ticket_plan.assignee else None,
            category=loaded.categories.get(ticket_plan.category),
            tags=ticket_plan.tags,
            custom_fields=(
                {ORDER_NUMBER_FIELD: ticket_plan.order_number} if ticket_plan.order_number else {}
            ),
            acting_user=(
                loaded.agents[ticket_plan.acting_agent] if ticket_plan.acting_agent else None
            ),
            rule=ticket_plan.rule,
            at=ticket_plan.created_at,
        )
        return
    ticket = loaded.tickets[step.ticket]
    match step.kind:
        case StepKind.ASSIGN:
            do_assign(ticket=ticket, assignee=loaded.agents[step.value], acting_user=agent, at=at)
        case StepKind.HANDOVER:
            do_update_ticket(
                ticket=ticket,
                changes={
                    "team": loaded.teams[step.value],
                    "assignee": loaded.agents[step.names[0]],
                },
                acting_user=agent,
                at=at,
            )
        case StepKind.CATEGORY:
            do_change_category(
                ticket=ticket, category=loaded.categories[step.value], acting_user=agent, at=at
            )
        case StepKind.PRIORITY:
            do_change_priority(ticket=ticket, priority=step.value, acting_user=agent, at=at)
        case StepKind.TAGS:
            do_set_tags(ticket=ticket, names=step.names, acting_user=agent, at=at)
        case StepKind.ORDER_NUMBER:
            do_set_custom_fields(
                ticket=ticket, values={ORDER_NUMBER_FIELD: step.value}, acting_user=agent, at=at
            )
        case StepKind.NOTE:
            assert agent is not None  # noqa: S101 - the planner gives every note an author
            do_add_note(ticket=ticket, text=step.text, acting_user=agent, at=at)
        case StepKind.REPLY:
            assert agent is not None  # noqa: S101 - the planner gives every reply an author
            do_reply(
                ticket=ticket, text=step.text, status=step.value or None, acting_user=agent, at=at
            )
        case StepKind.CUSTOMER:
            do_add_customer_message(ticket=ticket, text=step.text, at=at)
        case StepKind.STATUS:
            do_change_status(
                ticket=ticket, status=step.value, acting_user=agent, rule=step.rule, at=at
            )
        case StepKind.MERGE:
            assert agent is not None  # noqa: S101 - the planner gives every merge an author
            do_merge_tickets(
                source=loaded.tickets[int(step.value)], target=ticket, acting_user=agent, at=at
            )


def _summarise(plan: DemoPlan, *, seconds: float) -> DemoSummary:
    tickets = Ticket.objects.all()
    return DemoSummary(
        agents=plan.agents,
        teams=len(shop.TEAM_NAMES),
        organisations=len(plan.organisations),
        customers=len(plan.customers),
        tickets=tickets.count(),
        public_messages=Message.objects.filter(is_public=True).count(),
        internal_notes=Message.objects.filter(is_public=False).count(),
        events=TicketEvent.objects.count(),
        statuses=dict(tickets.values_list("status").annotate(n=Count("id")).order_by()),
        channels=dict(tickets.values_list("channel").annotate(n=Count("id")).order_by()),
        reopened_tickets=tickets.filter(reopen_count__gt=0).count(),
        transferred_tickets=tickets.filter(transfer_count__gt=0).count(),
        merged_tickets=tickets.filter(merged_into__isnull=False).count(),
        seconds=seconds,
    )
