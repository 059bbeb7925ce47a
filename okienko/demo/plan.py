"""Plan the demo data set: the last 90 days of customer service at "Sklep Okienko".

``plan_demo`` is pure: a seeded random generator turns the sizes into agents, organisations and
customers (``okienko.demo.people``) and a timeline of ticket steps: create, assign, reply, note,
customer follow-up, status change, merge... (``okienko.demo.lifecycle``). ``load_demo`` in
``okienko.demo.load`` then writes the plan through the domain actions.
"""

import datetime
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from okienko.demo import names, shop, texts
from okienko.demo.lifecycle import Lifecycle, Seed, Step, StepKind, Story
from okienko.demo.people import (
    TIER_BUSINESS,
    TIER_PREMIUM,
    AgentPlan,
    CustomerPlan,
    OrganisationPlan,
    agent_email,
    plan_agents,
    plan_customers,
    plan_organisations,
    random_nip,
)
from okienko.demo.scenarios import Scenario
from okienko.tickets.choices import Channel, Priority, Status

DEFAULT_SEED = 1989
DEFAULT_CUSTOMERS = 300
DEFAULT_TICKETS = 1000
HISTORY_DAYS = 90

UTC = datetime.UTC
# Agents work 8:00–20:00, Monday to Saturday; customers write whenever they like.
WORK_START_HOUR = 8
WORK_END_HOUR = 20
SUNDAY = 6

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
class DemoPlan:
    """Everything the demo will contain, with the ticket steps in the order they happen."""

    agents: tuple[AgentPlan, ...]
    organisations: tuple[OrganisationPlan, ...]
    customers: tuple[CustomerPlan, ...]
    tickets: dict[int, TicketPlan]
    steps: tuple[Step, ...]


def plan_demo(
    *,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    tickets: int = DEFAULT_TICKETS,
    now: datetime.datetime | None = None,
) -> DemoPlan:
    """Decide everything the demo will contain; the same arguments give the same plan."""
    return Planner(seed=seed, now=now or timezone.now()).plan(customers, tickets)


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


class Planner:
    """Turns a seed into a ``DemoPlan``; holds the generator and what was decided so far."""

    def __init__(self, *, seed: int, now: datetime.datetime) -> None:
        # Demo data, not security: a seeded generator is what makes runs repeatable.
        self.rng = random.Random(seed)  # noqa: S311
        self.now = now.astimezone(UTC).replace(second=0, microsecond=0)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.agents = plan_agents()
        self.agents_by_email = {agent.email: agent for agent in self.agents}
        self.team_members = {
            team: [agent.email for agent in self.agents if agent.teams == (team,)]
            for team in shop.TEAM_NAMES
        }
        self.supervisor = agent_email(names.SUPERVISOR)
        self.organisations: list[OrganisationPlan] = []
        self.customers: list[CustomerPlan] = []
        self.tickets: dict[int, TicketPlan] = {}
        self.steps: list[Step] = []

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
        self.organisations = plan_organisations(self.rng, customer_count)
        self.customers = plan_customers(self.rng, customer_count, self.organisations)
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

    def _seeds(self, count: int) -> list[Seed]:
        rng = self.rng
        times = sorted(self._creation_time() for _ in range(count))
        channels = _quota(rng, count, {str(k): v for k, v in _CHANNEL_WEIGHTS.items()})
        activity = [
            rng.uniform(0.3, 2.0) * (2.5 if c.tier in {TIER_PREMIUM, TIER_BUSINESS} else 1.0)
            for c in self.customers
        ]
        with_phone = [i for i, c in enumerate(self.customers) if c.phone]
        seeds: list[Seed] = []
        for created, channel in zip(times, channels, strict=True):
            if channel == Channel.PHONE:
                customer = rng.choices(with_phone, weights=[activity[i] for i in with_phone])[0]
            else:
                customer = rng.choices(range(len(self.customers)), weights=activity)[0]
            scenario = self._scenario(self.customers[customer])
            seed = Seed(created, customer, channel, scenario)
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

    def _target(self, seed: Seed) -> str:
        age_hours = (self.now - seed.created).total_seconds() / 3600
        weights = next(w for limit, w in _TARGETS_BY_AGE if age_hours < limit)
        target: str = self.rng.choices(_TARGET_STATUSES, weights=weights)[0]
        # An agent answered the phone, so a phone ticket is never left unassigned.
        if target == Status.NEW and seed.channel == Channel.PHONE:
            return Status.OPEN
        return target

    def _ensure_every_status(self, seeds: list[Seed]) -> None:
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

    def _merge_originals(self, seeds: list[Seed], count: int) -> dict[int, int]:
        """Pick tickets a customer wrote twice about: original key → the duplicate's key."""
        closed = [k for k, s in enumerate(seeds) if s.target == Status.CLOSED]
        old = [k for k in closed if self.now - seeds[k].created > datetime.timedelta(days=14)]
        candidates = [k for k in old if seeds[k].channel in {Channel.EMAIL, Channel.WEB_FORM}]
        chosen = sorted(self.rng.sample(candidates, min(count, len(candidates))))
        return {key: len(seeds) + n for n, key in enumerate(chosen)}

    def _context(self, seed: Seed) -> dict[str, str]:
        """The facts a ticket's texts mention, drawn once so the whole thread agrees."""
        rng = self.rng
        customer = self.customers[seed.customer]
        kinds = seed.scenario.products
        products = [p for p in shop.PRODUCTS if not kinds or p.kind in kinds]
        product = rng.choice(products)
        ordered = self._local(seed.created - datetime.timedelta(days=rng.uniform(1, 12)))
        if customer.organisation is not None:
            organisation = self.organisations[customer.organisation]
            company, nip = organisation.name, organisation.nip
        else:
            company = f"{rng.choice(names.TRADES)} {customer.name}"
            nip = random_nip(rng)
        is_female = customer.is_female
        return {
            "order": f"ZAM/{ordered:%Y/%m}/{rng.randint(10000, 99999)}",
            "date": f"{ordered:%d.%m.%Y}",
            "product": product.name,
            "amount": _zloty(product.price),
            "parcel": "6" + "".join(str(rng.randrange(10)) for _ in range(23)),
            "locker": f"{rng.choice(shop.LOCKER_PREFIXES)}{rng.randint(1, 240):02d}"
            f"{rng.choice('MNAP')}",
            "city": rng.choice(shop.CITIES),
            "street": rng.choice(shop.STREETS),
            "code": rng.choice(shop.PROMO_CODES),
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

    def _plan_ticket(self, key: int, seed: Seed, *, duplicate_key: int | None) -> None:
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
            wrong = [c for c in shop.CATEGORIES if c != scenario.category]
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
            rule=shop.RULE_VIP if tags else "",
            created_at=seed.created,
        )
        end = self.now - datetime.timedelta(minutes=1)
        # A ticket whose story would run into the future has not got that far yet: it stays at
        # an earlier status (nobody triages at 3 a.m. what a customer wrote on Sunday night).
        fallbacks = [t for t in _FALLBACKS[seed.target] if not (is_phone and t == Status.NEW)]
        for target in fallbacks:
            story = Story(key, seed.created)
            story.add(StepKind.CREATE)
            if is_phone:
                story.t += datetime.timedelta(minutes=rng.uniform(1, 5))
                story.add(
                    StepKind.NOTE,
                    agent=assignee,
                    text=self.render(texts.PHONE_NOTES, context, assignee),
                )
            lifecycle = Lifecycle(self, story, seed, context, assignee)
            lifecycle.run(target, duplicate_key=duplicate_key)
            if story.steps[-1].at <= end:
                break
        else:
            self._fit_before_now(story, seed.created)
        self.steps += story.steps
        if duplicate_key is not None:
            self._plan_duplicate(duplicate_key, key, story, context)

    def _fit_before_now(self, story: Story, created: datetime.datetime) -> None:
        """Squeeze a story that would run into the future into the time there was."""
        last = story.steps[-1].at
        end = self.now - datetime.timedelta(minutes=1)
        factor = max(0.0, (end - created) / (last - created))
        story.steps[:] = [
            replace(step, at=created + (step.at - created) * factor) for step in story.steps
        ]

    def _plan_duplicate(
        self, key: int, original_key: int, story: Story, context: dict[str, str]
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
