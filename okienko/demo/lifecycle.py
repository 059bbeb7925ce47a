"""One ticket's life, step by step: what agents, the customer and the automations do to it.

Pure planning: ``okienko.demo.plan`` runs a ``Lifecycle`` for every ticket, up to the status the
ticket has got to by now, and collects the ``Step``s of its ``Story``.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from okienko.demo import shop, texts
from okienko.demo.people import TIER_BUSINESS
from okienko.demo.scenarios import Scenario
from okienko.tickets.choices import Channel, Priority, Status

if TYPE_CHECKING:
    from okienko.demo.plan import Planner

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


class StepKind(StrEnum):
    CREATE = "create"
    ASSIGN = "assign"
    HANDOVER = "handover"
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
class Step:
    """One thing that happens to a ticket at ``at``.

    ``agent`` is the e-mail of the agent who does it (empty for the customer or an automation);
    ``value`` is a status, priority, team key, category, agent e-mail or ticket key by ``kind``;
    a hand-over names the agent taking over in ``names``.
    """

    at: datetime.datetime
    ticket: int
    kind: StepKind
    agent: str = ""
    text: str = ""
    value: str = ""
    names: tuple[str, ...] = ()
    rule: str = ""


@dataclass
class Seed:
    """A ticket before it is planned in detail."""

    created: datetime.datetime
    customer: int
    channel: str
    scenario: Scenario
    target: str = Status.NEW


@dataclass
class Story:
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


class Lifecycle:
    """Plans what agents and the customer do on one ticket, up to the status it has now."""

    def __init__(
        self,
        planner: "Planner",
        story: Story,
        seed: Seed,
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
                self.story.add(StepKind.STATUS, value=Status.CLOSED, rule=shop.RULE_AUTO_CLOSE)

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
            and team == shop.TEAM_ORDERS
            and rng.random() < TEAM_TRANSFER_SHARE
        ):
            self.agent_waits()
            self.note(texts.TEAM_TRANSFER_NOTES)
            colleague = rng.choice(self.planner.team_members[shop.TEAM_COMPLAINTS])
            self.story.add(
                StepKind.HANDOVER,
                agent=self.assignee,
                value=shop.TEAM_COMPLAINTS,
                names=(colleague,),
            )
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
            self.story.add(StepKind.STATUS, value=Status.SOLVED, rule=shop.RULE_NO_ANSWER)
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
