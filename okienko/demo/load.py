"""Build the demo data set: the last 90 days of customer service at "Sklep Okienko".

Two stages. ``plan_demo`` is pure: a seeded random generator turns the sizes into agents,
organisations, customers and a timeline of ticket steps (create, assign, reply, note, customer
follow-up, status change, merge...). ``load_demo`` replays that timeline in time order through
the domain actions, so every row is made the way production makes it, with its history.
"""

import datetime
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from okienko.accounts.actions import do_create_agent, do_create_team
from okienko.accounts.choices import Role
from okienko.accounts.models import Agent, Team
from okienko.core.errors import Conflict, InvalidInput
from okienko.customers.actions import (
    IdentityInput,
    default_tier,
    do_create_customer,
    do_create_organisation,
)
from okienko.customers.choices import IdentityKind
from okienko.customers.models import Customer, Organisation, Tier
from okienko.demo import texts
from okienko.demo.texts import DemoAgent, Scenario
from okienko.tickets.actions import (
    do_add_customer_message,
    do_add_note,
    do_assign,
    do_change_category,
    do_change_priority,
    do_change_status,
    do_change_team,
    do_create_ticket,
    do_merge_tickets,
    do_reply,
    do_set_custom_fields,
    do_set_tags,
)
from okienko.tickets.choices import Channel, CustomFieldType, Priority, Status
from okienko.tickets.models import Category, CustomField, Message, Ticket, TicketEvent

DEFAULT_SEED = 1989
DEFAULT_CUSTOMERS = 300
DEFAULT_TICKETS = 1000
HISTORY_DAYS = 90
ADMIN_EMAIL = "admin@okienko.local"
AGENT_DOMAIN = "okienko.local"
# Published on purpose: it is printed after loading so anyone can sign in to the demo.
DEMO_PASSWORD = "okienko-demo"  # noqa: S105
LOGIN_URL = "http://127.0.0.1:8000/admin/"
ORDER_NUMBER_FIELD = "order_number"

TIER_CONSUMER = "consumer"
TIER_BUSINESS = "business"
TIER_PREMIUM = "premium"
TIER_MASS = "mass"

UTC = datetime.UTC
# Agents work 8:00–20:00, Monday to Saturday; customers write whenever they like.
WORK_START_HOUR = 8
WORK_END_HOUR = 20
SUNDAY = 6
AUTO_CLOSE_AFTER = datetime.timedelta(days=4)
NO_ANSWER_AFTER = datetime.timedelta(days=7)
# How likely each thing is to happen to a ticket that gets that far.
TRANSFER_SHARE = 0.04
TEAM_TRANSFER_SHARE = 0.1
ESCALATION_SHARE = 0.06
DEESCALATION_SHARE = 0.03
REOPEN_SHARE = 0.03
NOTE_SHARE = 0.35
# Scenarios that sometimes turn out to be a complaint and move to the other team.
TEAM_TRANSFER_SCENARIOS = {"missing_item", "where_is_parcel", "not_shipped", "courier_missed"}

_CHANNEL_WEIGHTS = {Channel.EMAIL: 55, Channel.WEB_FORM: 18, Channel.CHAT: 17, Channel.PHONE: 10}
_PRIORITIES = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)
# How many tickets customers open at each hour of the day (local time).
_HOURLY_WEIGHTS = (1, 1, 0, 0, 0, 1, 2, 4, 7, 9, 10, 10, 9, 9, 9, 8, 8, 8, 8, 9, 10, 9, 6, 3)
# In the order a ticket goes through them: new, open, pending, on hold, solved, closed.
_TARGET_STATUSES = tuple(Status)
# Where a ticket has got to by now, by its age in hours: weights of _TARGET_STATUSES. Recent
# tickets are still being worked on; older ones were solved and then closed automatically.
_TARGETS_BY_AGE: tuple[tuple[float, tuple[int, ...]], ...] = (
    (6, (55, 25, 8, 0, 12, 0)),
    (48, (25, 35, 20, 5, 15, 0)),
    (144, (5, 20, 20, 10, 45, 0)),
    (480, (0, 6, 0, 5, 3, 86)),
    (float("inf"), (0, 1, 0, 1, 0, 98)),
)
# The statuses a ticket may stay at instead, when there was not time to reach its own.
_FALLBACKS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.NEW,),
    Status.OPEN: (Status.OPEN, Status.NEW),
    Status.PENDING: (Status.PENDING, Status.OPEN, Status.NEW),
    Status.ON_HOLD: (Status.ON_HOLD, Status.OPEN, Status.NEW),
    Status.SOLVED: (Status.SOLVED, Status.OPEN, Status.NEW),
    Status.CLOSED: (Status.CLOSED, Status.SOLVED, Status.OPEN, Status.NEW),
}
_MOMENT = datetime.timedelta(minutes=5)
_ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


class Output(Protocol):
    """Where progress goes: a management command's ``self.stdout`` or any text stream."""

    def write(self, text: str, /) -> object: ...


class DemoAlreadyLoaded(Conflict):
    """The database already holds the demo, or data the demo must not be mixed into."""


class StepKind(StrEnum):
    CREATE = "create"
    ASSIGN = "assign"
    TEAM = "team"
    CATEGORY = "category"
    PRIORITY = "priority"
    TAGS = "tags"
    ORDER_NUMBER = "order_number"
    NOTE = "note"
    REPLY = "reply"
    CUSTOMER = "customer"
    STATUS = "status"
    MERGE = "merge"


@dataclass(frozen=True)
class AgentPlan:
    """An agent to create; ``teams`` are team keys from ``texts.TEAM_NAMES``."""

    email: str
    name: str
    role: str
    is_female: bool
    teams: tuple[str, ...]


@dataclass(frozen=True)
class OrganisationPlan:
    """A business customer's company."""

    name: str
    nip: str
    domain: str


@dataclass(frozen=True)
class CustomerPlan:
    """A customer with an e-mail and, for some, a phone number."""

    name: str
    first_name: str
    is_female: bool
    tier: str
    organisation: int | None
    email: str
    phone: str


@dataclass(frozen=True)
class TicketPlan:
    """How a ticket is opened: everything ``do_create_ticket`` needs, by reference."""

    key: int
    customer: int
    channel: str
    subject: str
    text: str
    priority: str
    team: str
    category: str
    tags: tuple[str, ...]
    order_number: str
    assignee: str
    acting_agent: str
    rule: str
    created_at: datetime.datetime


@dataclass(frozen=True)
class Step:
    """One thing that happens to a ticket at ``at``.

    ``agent`` is the e-mail of the agent who does it (empty for the customer or an automation);
    ``value`` is a status, priority, team key, category, agent e-mail or ticket key by ``kind``.
    """

    at: datetime.datetime
    ticket: int
    kind: StepKind
    agent: str = ""
    text: str = ""
    value: str = ""
    names: tuple[str, ...] = ()
    rule: str = ""


@dataclass(frozen=True)
class DemoPlan:
    """Everything the demo will contain, with the ticket steps in the order they happen."""

    agents: tuple[AgentPlan, ...]
    organisations: tuple[OrganisationPlan, ...]
    customers: tuple[CustomerPlan, ...]
    tickets: dict[int, TicketPlan]
    steps: tuple[Step, ...]


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
    database holds customers or tickets of its own.
    """
    if customers < 1 or tickets < 1:
        raise InvalidInput("The demo needs at least one customer and one ticket")
    started = time.monotonic()
    with transaction.atomic():
        _refuse_unless_empty()
        plan = plan_demo(seed=seed, customers=customers, tickets=tickets, now=now)
        _write(plan, stdout)
    return _summarise(plan, seconds=time.monotonic() - started)


def plan_demo(
    *,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    tickets: int = DEFAULT_TICKETS,
    now: datetime.datetime | None = None,
) -> DemoPlan:
    """Decide everything the demo will contain; the same arguments give the same plan."""
    return _Planner(seed=seed, now=now or timezone.now()).plan(customers, tickets)


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


def ascii_fold(text: str) -> str:
    """``text`` with Polish letters replaced by their plain Latin ones, for e-mail addresses."""
    return text.translate(_ASCII)


def _agent_email(agent: DemoAgent) -> str:
    return f"{ascii_fold(agent.first_name)}.{ascii_fold(agent.last_name)}@{AGENT_DOMAIN}".lower()


def _nip(rng: random.Random) -> str:
    """A random NIP with a valid checksum (weights 6,5,7,2,3,4,5,6,7; a sum giving 10 is void)."""
    while True:
        digits = [rng.randint(1, 9), *(rng.randint(0, 9) for _ in range(8))]
        checksum = sum(d * w for d, w in zip(digits, (6, 5, 7, 2, 3, 4, 5, 6, 7), strict=True))
        if checksum % 11 != 10:
            return "".join(map(str, digits)) + str(checksum % 11)


def _zloty(grosze: int) -> str:
    return f"{grosze // 100:,}".replace(",", " ") + f",{grosze % 100:02d} zł"


def _quota(rng: random.Random, count: int, weights: dict[str, int]) -> list[str]:
    """``count`` labels in proportion to ``weights``, each at least once when there is room."""
    total = sum(weights.values())
    shares = {label: count * weight / total for label, weight in weights.items()}
    counts = {label: int(share) for label, share in shares.items()}
    if count >= len(weights):
        counts = {label: max(1, n) for label, n in counts.items()}
    by_remainder = sorted(shares, key=lambda label: shares[label] - int(shares[label]))
    while sum(counts.values()) < count:
        counts[by_remainder.pop()] += 1
    while sum(counts.values()) > count:
        largest = max(counts, key=lambda label: counts[label])
        counts[largest] -= 1
    labels = [label for label, n in counts.items() for _ in range(n)]
    rng.shuffle(labels)
    return labels


@dataclass
class _Seed:
    """A ticket before it is planned in detail."""

    created: datetime.datetime
    customer: int
    channel: str
    scenario: Scenario
    target: str = Status.NEW


@dataclass
class _Story:
    """The steps of one ticket's life, appended in time order."""

    key: int
    t: datetime.datetime
    steps: list[Step] = field(default_factory=list)

    def add(
        self,
        kind: StepKind,
        *,
        agent: str = "",
        text: str = "",
        value: str = "",
        names: tuple[str, ...] = (),
        rule: str = "",
    ) -> None:
        self.steps.append(
            Step(
                at=self.t,
                ticket=self.key,
                kind=kind,
                agent=agent,
                text=text,
                value=value,
                names=names,
                rule=rule,
            )
        )
        # The next thing happens a moment later, so a ticket's history never ties.
        self.t += datetime.timedelta(seconds=40)


class _Planner:
    """Turns a seed into a ``DemoPlan``; holds the generator and what was decided so far."""

    def __init__(self, *, seed: int, now: datetime.datetime) -> None:
        # Demo data, not security: a seeded generator is what makes runs repeatable.
        self.rng = random.Random(seed)  # noqa: S311
        self.now = now.astimezone(UTC).replace(second=0, microsecond=0)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.agents = self._agents()
        self.agents_by_email = {agent.email: agent for agent in self.agents}
        self.team_members = {
            team: [agent.email for agent in self.agents if agent.teams == (team,)]
            for team in texts.TEAM_NAMES
        }
        self.supervisor = _agent_email(texts.SUPERVISOR)
        self.organisations: list[OrganisationPlan] = []
        self.customers: list[CustomerPlan] = []
        self.tickets: dict[int, TicketPlan] = {}
        self.steps: list[Step] = []

    # People and companies.

    def _agents(self) -> tuple[AgentPlan, ...]:
        admin = texts.ADMIN
        supervisor = texts.SUPERVISOR
        return (
            AgentPlan(
                ADMIN_EMAIL,
                f"{admin.first_name} {admin.last_name}",
                Role.ADMIN,
                admin.is_female,
                (),
            ),
            AgentPlan(
                _agent_email(supervisor),
                f"{supervisor.first_name} {supervisor.last_name}",
                Role.SUPERVISOR,
                supervisor.is_female,
                tuple(texts.TEAM_NAMES),
            ),
            *(
                AgentPlan(
                    _agent_email(agent),
                    f"{agent.first_name} {agent.last_name}",
                    Role.AGENT,
                    agent.is_female,
                    (agent.team,),
                )
                for agent in texts.TEAM_AGENTS
            ),
        )

    def _plan_organisations(self, customer_count: int) -> None:
        count = min(len(texts.COMPANIES), max(1, customer_count // 20))
        nips: set[str] = set()
        for company in self.rng.sample(texts.COMPANIES, count):
            nip = _nip(self.rng)
            while nip in nips:
                nip = _nip(self.rng)
            nips.add(nip)
            self.organisations.append(OrganisationPlan(company.name, nip, company.domain))

    def _plan_customers(self, count: int) -> None:
        rng = self.rng
        memberships: list[int] = []
        for index in range(len(self.organisations)):
            memberships += [index] * rng.choice((2, 2, 3))
        memberships = memberships[: max(1, count // 4)]
        premium = round(count * 0.1)
        mass = count // 100
        tiers = [TIER_BUSINESS] * len(memberships) + [TIER_PREMIUM] * premium + [TIER_MASS] * mass
        tiers = (tiers + [TIER_CONSUMER] * count)[:count]
        organisations: list[int | None] = [*memberships, *([None] * (count - len(memberships)))]
        order = list(range(count))
        rng.shuffle(order)
        emails: set[str] = set()
        phones: set[str] = set()
        for index in order:
            organisation = organisations[index]
            self.customers.append(
                self._customer(tiers[index], organisation, emails=emails, phones=phones)
            )
        if not any(customer.phone for customer in self.customers):
            first = self.customers[0]
            self.customers[0] = CustomerPlan(
                first.name,
                first.first_name,
                first.is_female,
                first.tier,
                first.organisation,
                first.email,
                self._phone(phones),
            )

    def _customer(
        self, tier: str, organisation: int | None, *, emails: set[str], phones: set[str]
    ) -> CustomerPlan:
        rng = self.rng
        is_female = rng.random() < 0.5
        first = rng.choice(texts.FEMALE_FIRST_NAMES if is_female else texts.MALE_FIRST_NAMES)
        surname = rng.choice(texts.SURNAMES)
        last = texts.feminine_surname(surname) if is_female else surname
        given, family = ascii_fold(first).lower(), ascii_fold(last).lower()
        if organisation is not None:
            domain = self.organisations[organisation].domain
            local = rng.choice((f"{given}.{family}", f"{given[0]}.{family}", given))
        else:
            domain = rng.choice(texts.FREE_MAIL_DOMAINS)
            local = rng.choice((
                f"{given}.{family}", f"{given}{family}", f"{given[0]}{family}",
                f"{family}.{given}", f"{given}.{family}{rng.randint(1, 99)}",
                f"{given}{rng.randint(1960, 2006)}",
            ))  # fmt: skip
        email = f"{local}@{domain}"
        suffix = 2
        while email in emails:
            email = f"{local}{suffix}@{domain}"
            suffix += 1
        emails.add(email)
        has_phone = rng.random() < (0.7 if tier == TIER_BUSINESS else 0.45)
        return CustomerPlan(
            f"{first} {last}",
            first,
            is_female,
            tier,
            organisation,
            email,
            self._phone(phones) if has_phone else "",
        )

    def _phone(self, phones: set[str]) -> str:
        while True:
            digits = f"{self.rng.choice(texts.MOBILE_PREFIXES)}{self.rng.randrange(10**7):07d}"
            number = f"+48 {digits[:3]} {digits[3:6]} {digits[6:]}"
            if number not in phones:
                phones.add(number)
                return number

    # Time.

    def _local(self, at: datetime.datetime) -> datetime.datetime:
        return at.astimezone(self.zone)

    def _at_local(self, day: datetime.date, hour: int, minute: int) -> datetime.datetime:
        return datetime.datetime.combine(
            day, datetime.time(hour, minute), tzinfo=self.zone
        ).astimezone(UTC)

    def working_time(self, at: datetime.datetime) -> datetime.datetime:
        """``at`` if agents are at work then, otherwise a little after they start next."""
        local = self._local(at)
        day = local.date()
        if local.hour >= WORK_END_HOUR:
            day += datetime.timedelta(days=1)
        elif local.hour >= WORK_START_HOUR and local.weekday() != SUNDAY:
            return at
        if day.weekday() == SUNDAY:
            day += datetime.timedelta(days=1)
        return self._at_local(day, WORK_START_HOUR, self.rng.randrange(60))

    def nightly(self, at: datetime.datetime) -> datetime.datetime:
        """The first run of the nightly automation (3:00) after ``at``."""
        local = self._local(at)
        run = self._at_local(local.date(), 3, self.rng.randrange(20))
        return run if run > at else run + datetime.timedelta(days=1)

    def _creation_time(self) -> datetime.datetime:
        rng = self.rng
        for _ in range(50):
            # The shop is growing: a share of the tickets leans towards recent days.
            if rng.random() < 0.7:
                days_ago = rng.uniform(0, HISTORY_DAYS)
            else:
                days_ago = rng.triangular(0, HISTORY_DAYS, 0)
            day = self._local(self.now - datetime.timedelta(days=days_ago)).date()
            if day.weekday() >= 5 and rng.random() < 0.3:
                continue
            hour = rng.choices(range(24), weights=_HOURLY_WEIGHTS)[0]
            at = self._at_local(day, hour, rng.randrange(60))
            # At least a few minutes old, so even the newest ticket has a moment of history.
            if self.now - datetime.timedelta(days=HISTORY_DAYS) < at < self.now - _MOMENT:
                return at
        return self.now - datetime.timedelta(minutes=rng.uniform(10, 600))

    def agent_minutes(self, channel: str, tier: str) -> float:
        rng = self.rng
        if channel == Channel.CHAT:
            return rng.uniform(0.5, 6)
        if tier in {TIER_PREMIUM, TIER_BUSINESS}:
            return rng.uniform(5, 90)
        roll = rng.random()
        if roll < 0.55:
            return rng.uniform(10, 120)
        if roll < 0.9:
            return rng.uniform(120, 480)
        return rng.uniform(480, 1440)

    def customer_minutes(self, channel: str) -> float:
        rng = self.rng
        if channel == Channel.CHAT:
            return rng.uniform(0.5, 5)
        roll = rng.random()
        if roll < 0.5:
            return rng.uniform(15, 240)
        if roll < 0.85:
            return rng.uniform(240, 1440)
        return rng.uniform(1440, 4320)

    # Tickets.

    def plan(self, customer_count: int, ticket_count: int) -> DemoPlan:
        self._plan_organisations(customer_count)
        self._plan_customers(customer_count)
        duplicates = max(1, ticket_count // 400) if ticket_count >= 20 else 0
        seeds = self._seeds(ticket_count - duplicates)
        originals = self._merge_originals(seeds, duplicates)
        for key, seed in enumerate(seeds):
            self._plan_ticket(key, seed, duplicate_key=originals.get(key))
        self.steps.sort(key=lambda step: step.at)
        return DemoPlan(
            agents=self.agents,
            organisations=tuple(self.organisations),
            customers=tuple(self.customers),
            tickets=self.tickets,
            steps=tuple(self.steps),
        )

    def _seeds(self, count: int) -> list[_Seed]:
        rng = self.rng
        times = sorted(self._creation_time() for _ in range(count))
        channels = _quota(rng, count, {str(k): v for k, v in _CHANNEL_WEIGHTS.items()})
        activity = [
            rng.uniform(0.3, 2.0) * (2.5 if c.tier in {TIER_PREMIUM, TIER_BUSINESS} else 1.0)
            for c in self.customers
        ]
        with_phone = [i for i, c in enumerate(self.customers) if c.phone]
        seeds: list[_Seed] = []
        for created, channel in zip(times, channels, strict=True):
            if channel == Channel.PHONE:
                customer = rng.choices(with_phone, weights=[activity[i] for i in with_phone])[0]
            else:
                customer = rng.choices(range(len(self.customers)), weights=activity)[0]
            scenario = self._scenario(self.customers[customer])
            seed = _Seed(created, customer, channel, scenario)
            seed.target = self._target(seed)
            seeds.append(seed)
        self._ensure_every_status(seeds)
        return seeds

    def _scenario(self, customer: CustomerPlan) -> Scenario:
        is_business = customer.tier == TIER_BUSINESS
        weights = []
        for scenario in texts.SCENARIOS:
            if "b2b" in scenario.tags and not is_business:
                weights.append(0.0)
            elif scenario.is_for_business:
                weights.append(scenario.weight * (4.0 if is_business else 0.5))
            else:
                weights.append(float(scenario.weight))
        return self.rng.choices(texts.SCENARIOS, weights=weights)[0]

    def _target(self, seed: _Seed) -> str:
        age_hours = (self.now - seed.created).total_seconds() / 3600
        weights = next(w for limit, w in _TARGETS_BY_AGE if age_hours < limit)
        target: str = self.rng.choices(_TARGET_STATUSES, weights=weights)[0]
        # An agent answered the phone, so a phone ticket is never left unassigned.
        if target == Status.NEW and seed.channel == Channel.PHONE:
            return Status.OPEN
        return target

    def _ensure_every_status(self, seeds: list[_Seed]) -> None:
        """Even a small demo shows every status: chosen tickets take those chance left out.

        New ones are the newest, closed ones the oldest, the rest a few days old so that
        there was time to get there.
        """
        present = {seed.target for seed in seeds}
        newest_first = [s for s in reversed(seeds) if s.channel != Channel.PHONE]
        days_old = [
            s for s in newest_first if 1 < (self.now - s.created) / datetime.timedelta(days=1) < 6
        ]
        pools = {Status.NEW: newest_first, Status.CLOSED: seeds}
        for status in _TARGET_STATUSES:
            if status in present:
                continue
            pool = pools.get(status, days_old)
            taken = Counter(seed.target for seed in seeds)
            # Take from a status that has more than one ticket, so no other status goes missing.
            for seed in pool:
                if taken[seed.target] > 1:
                    seed.target = status
                    present.add(status)
                    break

    def _merge_originals(self, seeds: list[_Seed], count: int) -> dict[int, int]:
        """Pick tickets a customer wrote twice about: original key → the duplicate's key."""
        closed = [k for k, s in enumerate(seeds) if s.target == Status.CLOSED]
        old = [k for k in closed if self.now - seeds[k].created > datetime.timedelta(days=14)]
        candidates = [k for k in old if seeds[k].channel in {Channel.EMAIL, Channel.WEB_FORM}]
        chosen = sorted(self.rng.sample(candidates, min(count, len(candidates))))
        return {key: len(seeds) + n for n, key in enumerate(chosen)}

    def _context(self, seed: _Seed) -> dict[str, str]:
        """The facts a ticket's texts mention, drawn once so the whole thread agrees."""
        rng = self.rng
        customer = self.customers[seed.customer]
        kinds = seed.scenario.products
        products = [p for p in texts.PRODUCTS if not kinds or p.kind in kinds]
        product = rng.choice(products)
        ordered = self._local(seed.created - datetime.timedelta(days=rng.uniform(1, 12)))
        if customer.organisation is not None:
            organisation = self.organisations[customer.organisation]
            company, nip = organisation.name, organisation.nip
        else:
            company = f"{rng.choice(texts.TRADES)} {customer.name}"
            nip = _nip(rng)
        is_female = customer.is_female
        return {
            "order": f"ZAM/{ordered:%Y/%m}/{rng.randint(10000, 99999)}",
            "date": f"{ordered:%d.%m.%Y}",
            "product": product.name,
            "amount": _zloty(product.price),
            "parcel": "6" + "".join(str(rng.randrange(10)) for _ in range(23)),
            "locker": f"{rng.choice(texts.LOCKER_PREFIXES)}{rng.randint(1, 240):02d}"
            f"{rng.choice('MNAP')}",
            "city": rng.choice(texts.CITIES),
            "street": rng.choice(texts.STREETS),
            "code": rng.choice(texts.PROMO_CODES),
            "rma": f"REK/{ordered:%Y}/{rng.randint(100, 2999):04d}",
            "company": company,
            "nip": nip,
            "first": customer.first_name,
            "full": customer.name,
            "em": "am" if is_female else "em",
            "bym": "abym" if is_female else "bym",
            "y": "a" if is_female else "y",
            "klient": "Klientka" if is_female else "Klient",
            "c_a": "a" if is_female else "",
            "c_y": "a" if is_female else "y",
        }

    def render(
        self, templates: Sequence[str], context: dict[str, str], agent: str = "", to: str = ""
    ) -> str:
        values = dict(context, to=to)
        if agent:
            person = self.agents_by_email[agent]
            values.update(a_em="am" if person.is_female else "em", agent=person.name.split()[0])
        return self.rng.choice(templates).format_map(values)

    def customer_text(
        self, channel: str, body: str, context: dict[str, str], *, is_first: bool
    ) -> str:
        if channel in {Channel.CHAT, Channel.PHONE}:
            return body
        if channel == Channel.WEB_FORM and is_first:
            return body
        sign_off = self.rng.choice(texts.CUSTOMER_SIGN_OFFS).format_map(context)
        if is_first or self.rng.random() < 0.5:
            return f"{self.rng.choice(texts.CUSTOMER_GREETINGS)}\n\n{body}\n\n{sign_off}"
        return f"{body}\n\n{context['first']}"

    def agent_text(
        self, channel: str, body: str, context: dict[str, str], agent: str, *, is_first: bool
    ) -> str:
        if channel == Channel.CHAT:
            return f"Dzień dobry! {body}" if is_first else body
        rng = self.rng
        opener = rng.choice(texts.AGENT_FIRST_OPENERS if is_first else texts.AGENT_NEXT_OPENERS)
        closing = f"\n\n{rng.choice(texts.AGENT_CLOSINGS)}" if rng.random() < 0.6 else ""
        sign_off = self.render(texts.AGENT_SIGN_OFFS, context, agent)
        return f"Dzień dobry,\n\n{opener} {body}{closing}\n\n{sign_off}"

    def _plan_ticket(self, key: int, seed: _Seed, *, duplicate_key: int | None) -> None:
        rng = self.rng
        scenario = seed.scenario
        customer = self.customers[seed.customer]
        context = self._context(seed)
        channel = seed.channel
        assignee = rng.choices(self.team_members[scenario.team], weights=(4, 3, 3, 2))[0]
        is_phone = channel == Channel.PHONE
        tags: tuple[str, ...] = ("vip",) if customer.tier == TIER_PREMIUM else ()
        priority: str = rng.choices(_PRIORITIES, weights=scenario.priorities)[0]
        if customer.tier == TIER_PREMIUM and priority == Priority.NORMAL and rng.random() < 0.3:
            priority = Priority.HIGH
        category = ""
        if is_phone:
            category = scenario.category
        elif channel == Channel.WEB_FORM:
            # Customers pick the form's topic themselves, and sometimes pick the wrong one.
            wrong = [c for c in texts.CATEGORIES if c != scenario.category]
            category = rng.choice(wrong) if rng.random() < 0.15 else scenario.category
        form_order = context["order"] if scenario.has_order and channel == Channel.WEB_FORM else ""
        body = self.render(scenario.openings, context)
        if form_order:
            body += f"\n\nNumer zamówienia: {form_order}"
        self.tickets[key] = TicketPlan(
            key=key,
            customer=seed.customer,
            channel=channel,
            subject=self.render(scenario.subjects, context),
            text=self.customer_text(channel, body, context, is_first=True),
            priority=priority,
            team=scenario.team,
            category=category,
            tags=tags,
            order_number=form_order,
            assignee=assignee if is_phone else "",
            acting_agent=assignee if is_phone else "",
            rule=texts.RULE_VIP if tags else "",
            created_at=seed.created,
        )
        end = self.now - datetime.timedelta(minutes=1)
        # A ticket whose story would run into the future has not got that far yet: it stays at
        # an earlier status (nobody triages at 3 a.m. what a customer wrote on Sunday night).
        fallbacks = [t for t in _FALLBACKS[seed.target] if not (is_phone and t == Status.NEW)]
        for target in fallbacks:
            story = _Story(key, seed.created)
            story.add(StepKind.CREATE)
            if is_phone:
                story.t += datetime.timedelta(minutes=rng.uniform(1, 5))
                story.add(
                    StepKind.NOTE,
                    agent=assignee,
                    text=self.render(texts.PHONE_NOTES, context, assignee),
                )
            lifecycle = _Lifecycle(self, story, seed, context, assignee)
            lifecycle.run(target, duplicate_key=duplicate_key)
            if story.steps[-1].at <= end:
                break
        else:
            self._fit_before_now(story, seed.created)
        self.steps += story.steps
        if duplicate_key is not None:
            self._plan_duplicate(duplicate_key, key, story, context)

    def _fit_before_now(self, story: _Story, created: datetime.datetime) -> None:
        """Squeeze a story that would run into the future into the time there was."""
        last = story.steps[-1].at
        end = self.now - datetime.timedelta(minutes=1)
        factor = max(0.0, (end - created) / (last - created))
        story.steps[:] = [
            replace(step, at=created + (step.at - created) * factor) for step in story.steps
        ]

    def _plan_duplicate(
        self, key: int, original_key: int, story: _Story, context: dict[str, str]
    ) -> None:
        """The customer writes again, through another channel, before an agent merges it."""
        original = self.tickets[original_key]
        merged_at = next(step.at for step in story.steps if step.kind == StepKind.MERGE)
        created = original.created_at + (merged_at - original.created_at) * self.rng.uniform(
            0.3, 0.8
        )
        channel = Channel.WEB_FORM if original.channel == Channel.EMAIL else Channel.EMAIL
        subject = self.rng.choice(texts.DUPLICATE_SUBJECTS).format(subject=original.subject)
        body = self.render(texts.DUPLICATE_OPENINGS, context)
        self.tickets[key] = TicketPlan(
            key=key,
            customer=original.customer,
            channel=channel,
            subject=subject,
            text=self.customer_text(channel, body, context, is_first=True),
            priority=Priority.NORMAL,
            team=original.team,
            category=original.category if channel == Channel.WEB_FORM else "",
            tags=original.tags,
            order_number="",
            assignee="",
            acting_agent="",
            rule=original.rule,
            created_at=created,
        )
        self.steps.append(Step(at=created, ticket=key, kind=StepKind.CREATE))


class _Lifecycle:
    """Plans what agents and the customer do on one ticket, up to the status it has now."""

    def __init__(
        self,
        planner: _Planner,
        story: _Story,
        seed: _Seed,
        context: dict[str, str],
        assignee: str,
    ) -> None:
        self.planner = planner
        self.rng = planner.rng
        self.story = story
        self.seed = seed
        self.scenario = seed.scenario
        self.context = context
        self.assignee = assignee
        self.customer = planner.customers[seed.customer]
        self.plan = planner.tickets[story.key]
        self.has_replied = False

    # Moving the clock.

    def agent_waits(self, minutes: float | None = None) -> None:
        if minutes is None:
            minutes = self.planner.agent_minutes(self.seed.channel, self.customer.tier)
        later = self.story.t + datetime.timedelta(minutes=minutes)
        self.story.t = self.planner.working_time(later)

    def customer_waits(self) -> None:
        minutes = self.planner.customer_minutes(self.seed.channel)
        self.story.t += datetime.timedelta(minutes=minutes)

    # What happens.

    def render(self, templates: Sequence[str], agent: str = "", to: str = "") -> str:
        return self.planner.render(templates, self.context, agent, to)

    def note(self, templates: Sequence[str], to: str = "") -> None:
        self.story.add(
            StepKind.NOTE, agent=self.assignee, text=self.render(templates, self.assignee, to)
        )

    def reply(self, body: str, status: str = "") -> None:
        text = self.planner.agent_text(
            self.seed.channel, body, self.context, self.assignee, is_first=not self.has_replied
        )
        self.story.add(StepKind.REPLY, agent=self.assignee, text=text, value=status)
        self.has_replied = True

    def customer_writes(self, templates: Sequence[str]) -> None:
        body = self.render(templates)
        text = self.planner.customer_text(self.seed.channel, body, self.context, is_first=False)
        self.story.add(StepKind.CUSTOMER, text=text)

    def resolution(self) -> str:
        return self.render(self.scenario.replies, self.assignee)

    def run(self, target: str, *, duplicate_key: int | None) -> None:
        if target == Status.NEW:
            waited = self.planner.now - self.seed.created > datetime.timedelta(hours=4)
            if waited and self.rng.random() < 0.35:
                self.customer_waits()
                self.customer_writes(texts.NUDGES)
            return
        self.triage(duplicate_key)
        if target == Status.OPEN:
            self.stay_open()
        elif target == Status.PENDING:
            self.ask()
        elif target == Status.ON_HOLD:
            self.hold()
        else:
            self.solve()
            if self.rng.random() < REOPEN_SHARE:
                self.reopen()
            if target == Status.CLOSED:
                self.story.t = self.planner.nightly(self.story.t + AUTO_CLOSE_AFTER)
                self.story.add(StepKind.STATUS, value=Status.CLOSED, rule=texts.RULE_AUTO_CLOSE)

    def triage(self, duplicate_key: int | None) -> None:
        rng = self.rng
        # A duplicate needs time to arrive before the agent sees both and merges them.
        self.agent_waits(rng.uniform(45, 180) if duplicate_key is not None else None)
        if self.seed.channel != Channel.PHONE:
            actor = self.planner.supervisor if rng.random() < 0.45 else self.assignee
            self.story.add(StepKind.ASSIGN, agent=actor, value=self.assignee)
        if self.plan.category != self.scenario.category:
            self.story.add(StepKind.CATEGORY, agent=self.assignee, value=self.scenario.category)
        if rng.random() < 0.85:
            extra = ("b2b",) if self.customer.tier == TIER_BUSINESS else ()
            names = tuple(sorted({*self.plan.tags, *self.scenario.tags, *extra}))
            self.story.add(StepKind.TAGS, agent=self.assignee, names=names)
        if self.scenario.has_order and not self.plan.order_number and rng.random() < 0.7:
            self.story.add(StepKind.ORDER_NUMBER, agent=self.assignee, value=self.context["order"])
        if duplicate_key is not None:
            self.story.add(StepKind.MERGE, agent=self.assignee, value=str(duplicate_key))
            self.note(texts.MERGE_NOTES)
        roll = rng.random()
        if roll < ESCALATION_SHARE and self.plan.priority in {Priority.LOW, Priority.NORMAL}:
            self.story.add(StepKind.PRIORITY, agent=self.assignee, value=Priority.HIGH)
            self.note(texts.ESCALATION_NOTES)
        elif roll > 1 - DEESCALATION_SHARE and self.plan.priority == Priority.NORMAL:
            self.story.add(StepKind.PRIORITY, agent=self.assignee, value=Priority.LOW)
        if self.seed.channel != Channel.CHAT:
            self.maybe_transfer()
        if rng.random() < NOTE_SHARE and self.scenario.notes:
            self.agent_waits(rng.uniform(2, 40))
            self.note(self.scenario.notes)

    def maybe_transfer(self) -> None:
        rng = self.rng
        team = self.scenario.team
        if (
            self.scenario.key in TEAM_TRANSFER_SCENARIOS
            and team == texts.TEAM_ORDERS
            and rng.random() < TEAM_TRANSFER_SHARE
        ):
            self.agent_waits()
            self.note(texts.TEAM_TRANSFER_NOTES)
            self.story.add(StepKind.TEAM, agent=self.assignee, value=texts.TEAM_COMPLAINTS)
            colleague = rng.choice(self.planner.team_members[texts.TEAM_COMPLAINTS])
            self.story.add(StepKind.ASSIGN, agent=self.assignee, value=colleague)
            self.assignee = colleague
        elif rng.random() < TRANSFER_SHARE:
            self.agent_waits()
            colleague = rng.choice(
                [a for a in self.planner.team_members[team] if a != self.assignee]
            )
            name = self.planner.agents_by_email[colleague].name.split()[0]
            self.note(texts.TRANSFER_NOTES, to=name)
            self.story.add(StepKind.ASSIGN, agent=self.assignee, value=colleague)
            self.assignee = colleague

    def ask(self) -> None:
        """Ask the customer something and wait: with a question, or by asking to confirm."""
        self.agent_waits(self.rng.uniform(2, 30))
        if self.scenario.questions and self.rng.random() < 0.6:
            self.reply(self.render(self.scenario.questions, self.assignee), Status.PENDING)
        else:
            confirm = self.rng.choice(texts.CONFIRM_QUESTIONS)
            self.reply(f"{self.resolution()} {confirm}", Status.PENDING)

    def stay_open(self) -> None:
        roll = self.rng.random()
        if roll < 0.4 and self.scenario.questions and self.scenario.answers:
            self.agent_waits(self.rng.uniform(2, 30))
            self.reply(self.render(self.scenario.questions, self.assignee), Status.PENDING)
            self.customer_waits()
            self.customer_writes(self.scenario.answers)
        elif roll < 0.6:
            self.customer_waits()
            self.customer_writes(texts.NUDGES)

    def hold(self) -> None:
        self.agent_waits(self.rng.uniform(2, 30))
        self.note(self.scenario.hold_notes or texts.GENERIC_HOLD_NOTES)
        self.reply(
            self.render(self.scenario.holds or texts.GENERIC_HOLDS, self.assignee), Status.ON_HOLD
        )

    def solve(self) -> None:
        rng = self.rng
        ways = ["direct", "confirm", "no_answer", "hold"]
        weights = [35, 20, 8, 10]
        if self.scenario.questions and self.scenario.answers:
            ways.append("question")
            weights.append(27)
        way = rng.choices(ways, weights=weights)[0]
        if way == "direct":
            self.agent_waits(rng.uniform(2, 30))
            self.reply(self.resolution(), Status.SOLVED)
        elif way == "question":
            self.agent_waits(rng.uniform(2, 30))
            self.reply(self.render(self.scenario.questions, self.assignee), Status.PENDING)
            self.customer_waits()
            self.customer_writes(self.scenario.answers)
            self.agent_waits()
            self.reply(self.resolution(), Status.SOLVED)
        elif way == "confirm":
            self.agent_waits(rng.uniform(2, 30))
            confirm = rng.choice(texts.CONFIRM_QUESTIONS)
            self.reply(f"{self.resolution()} {confirm}", Status.PENDING)
            self.customer_waits()
            self.customer_writes(texts.THANKS)
            self.agent_waits()
            self.story.add(StepKind.STATUS, agent=self.assignee, value=Status.SOLVED)
        elif way == "no_answer":
            self.ask()
            self.story.t = self.planner.nightly(self.story.t + NO_ANSWER_AFTER)
            self.story.add(StepKind.STATUS, value=Status.SOLVED, rule=texts.RULE_NO_ANSWER)
        else:
            self.hold()
            long_repair = self.scenario.key in {"warranty", "device_fault"}
            days = rng.uniform(5, 18) if long_repair else rng.uniform(1, 8)
            self.agent_waits(days * 24 * 60)
            self.reply(self.resolution(), Status.SOLVED)

    def reopen(self) -> None:
        # The problem comes back after a while, not minutes after the answer.
        self.story.t += datetime.timedelta(days=self.rng.uniform(1, 5))
        self.customer_writes(texts.REOPENINGS)
        self.agent_waits()
        if self.plan.priority in {Priority.LOW, Priority.NORMAL}:
            self.story.add(StepKind.PRIORITY, agent=self.assignee, value=Priority.HIGH)
        self.reply(self.render(texts.REOPEN_REPLIES, self.assignee), Status.SOLVED)


# Writing the plan.


@dataclass
class _Loaded:
    """The rows made so far, by the keys the plan uses."""

    agents: dict[str, Agent]
    teams: dict[str, Team]
    categories: dict[str, Category]
    customers: list[Customer]
    tickets: dict[int, Ticket] = field(default_factory=dict)


def _write(plan: DemoPlan, stdout: Output | None) -> None:
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
        for key, name in texts.TEAM_NAMES.items()
    }
    # Categories and custom fields are admin reference data with no actions of their own yet.
    categories = {
        name: Category.objects.get_or_create(name=name, parent=None)[0] for name in texts.CATEGORIES
    }
    CustomField.objects.get_or_create(
        key=ORDER_NUMBER_FIELD,
        defaults={"label": "Numer zamówienia", "field_type": CustomFieldType.TEXT},
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
        case StepKind.TEAM:
            do_change_team(ticket=ticket, team=loaded.teams[step.value], acting_user=agent, at=at)
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
        teams=len(texts.TEAM_NAMES),
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
