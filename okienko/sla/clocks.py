"""SLA clocks replayed from a ticket's history: a pure function, so re-matching a policy (new
priority, new tier) recomputes every deadline from what really happened, not from a patch.

Three metrics are measured:

* **first reply**: from the customer's first public message to the first public agent reply;
* **next reply**: from a customer's message that follows an agent reply to the next agent reply
  (one clock per round, numbered by ``cycle``);
* **resolution**: from the ticket's creation to solving it; a reopened ticket resumes the same
  clock, so time already spent keeps counting.

Every clock stops while the ticket waits on the customer (pending) or is on hold, and all clocks
stop when the ticket is solved or closed. Time is counted on the policy's business calendar for
business-hours targets and as plain elapsed time for calendar-time targets.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from okienko.sla.calendar import BusinessCalendar, calendar_24_7
from okienko.sla.choices import Metric

ELAPSED_TIME = calendar_24_7("UTC")


class Happening(StrEnum):
    """What in a ticket's history moves its clocks."""

    CUSTOMER_MESSAGE = "customer_message"
    AGENT_REPLY = "agent_reply"
    STATUS = "status"


PAUSED_STATUSES = frozenset({"pending", "on_hold"})
FINISHED_STATUSES = frozenset({"solved", "closed"})


@dataclass(frozen=True)
class Step:
    """One entry of the timeline; ``status`` is the new status of a STATUS step."""

    at: datetime.datetime
    happening: Happening
    status: str = ""


@dataclass(frozen=True)
class Target:
    seconds: int
    business_hours: bool = True


@dataclass(frozen=True)
class ClockState:
    """Where one clock stands at the end of the timeline.

    ``elapsed_seconds`` is counted up to ``running_since`` (or to the stop); a running clock adds
    the time from ``running_since`` onwards. ``due_at`` is when the target is or was reached if
    nothing pauses the clock again; ``None`` while paused before reaching it.
    """

    metric: Metric
    cycle: int
    target_seconds: int
    business_hours: bool
    started_at: datetime.datetime
    running_since: datetime.datetime | None
    elapsed_seconds: int
    due_at: datetime.datetime | None
    warn_at: datetime.datetime | None
    completed_at: datetime.datetime | None

    @property
    def late_by_seconds(self) -> int | None:
        """How far past the target a stopped clock ended (negative: ahead); None while open."""
        if self.completed_at is None:
            return None
        return self.elapsed_seconds - self.target_seconds


@dataclass
class _Clock:
    metric: Metric
    cycle: int
    target: Target
    calendar: BusinessCalendar
    warn_seconds: int
    started_at: datetime.datetime
    running_since: datetime.datetime | None
    elapsed: datetime.timedelta = datetime.timedelta(0)
    # When the running time first reached the warning share and the target, if it has.
    warned_at: datetime.datetime | None = None
    reached_at: datetime.datetime | None = None
    completed_at: datetime.datetime | None = None

    def stop_running(self, at: datetime.datetime) -> None:
        if self.running_since is None:
            return
        start = self.running_since
        span = self.calendar.between(start, at)
        before = self.elapsed
        self.warned_at = self.warned_at or self._crossing(start, before, span, self.warn_seconds)
        self.reached_at = self.reached_at or self._crossing(
            start, before, span, self.target.seconds
        )
        self.elapsed = before + span
        self.running_since = None

    def _crossing(
        self,
        start: datetime.datetime,
        before: datetime.timedelta,
        span: datetime.timedelta,
        threshold_seconds: int,
    ) -> datetime.datetime | None:
        threshold = datetime.timedelta(seconds=threshold_seconds)
        if before < threshold <= before + span:
            return self.calendar.add(start, threshold - before)
        return None

    def projected(
        self, threshold_seconds: int, reached: datetime.datetime | None
    ) -> datetime.datetime | None:
        """When the running time reaches ``threshold_seconds``; None while paused before it."""
        if reached is not None:
            return reached
        if self.running_since is None:
            return None
        threshold = datetime.timedelta(seconds=threshold_seconds)
        return self.calendar.add(self.running_since, threshold - self.elapsed)

    def state(self) -> ClockState:
        due_at = self.projected(self.target.seconds, self.reached_at)
        warn_at = self.projected(self.warn_seconds, self.warned_at)
        if self.completed_at is not None and due_at is None:
            # A stopped clock shows the deadline it had when it stopped.
            due_at = self.calendar.add(
                self.completed_at, datetime.timedelta(seconds=self.target.seconds) - self.elapsed
            )
        return ClockState(
            metric=self.metric,
            cycle=self.cycle,
            target_seconds=self.target.seconds,
            business_hours=self.target.business_hours,
            started_at=self.started_at,
            running_since=self.running_since,
            elapsed_seconds=int(self.elapsed.total_seconds()),
            due_at=due_at,
            warn_at=warn_at,
            completed_at=self.completed_at,
        )


def replay(
    *,
    created_at: datetime.datetime,
    initial_status: str,
    steps: Iterable[Step],
    targets: Mapping[Metric, Target],
    calendar: BusinessCalendar,
    warn_percent: int,
) -> list[ClockState]:
    """The clocks of a ticket whose history is ``steps`` (in order), under ``targets``.

    Metrics without a target get no clock. ``warn_percent`` of a target is when the sweep warns.
    """
    clocks: list[_Clock] = []
    status = initial_status
    # Whether a reply clock has run before (or an agent wrote first): later rounds are next replies.
    owed_reply_before = False
    next_replies = 0
    reply_clock: _Clock | None = None
    resolution: _Clock | None = None

    def paused() -> bool:
        return status in PAUSED_STATUSES or status in FINISHED_STATUSES

    def start(metric: Metric, at: datetime.datetime, cycle: int) -> _Clock | None:
        target = targets.get(metric)
        if target is None:
            return None
        clock = _Clock(
            metric=metric,
            cycle=cycle,
            target=target,
            calendar=calendar if target.business_hours else ELAPSED_TIME,
            warn_seconds=target.seconds * warn_percent // 100,
            started_at=at,
            running_since=None if paused() else at,
        )
        clocks.append(clock)
        return clock

    def complete(clock: _Clock | None, at: datetime.datetime) -> None:
        if clock is not None and clock.completed_at is None:
            clock.stop_running(at)
            clock.completed_at = at

    resolution = start(Metric.RESOLUTION, created_at, 1)
    for step in steps:
        if step.happening is Happening.CUSTOMER_MESSAGE:
            if reply_clock is None or reply_clock.completed_at is not None:
                if owed_reply_before:
                    next_replies += 1
                    reply_clock = start(Metric.NEXT_REPLY, step.at, next_replies)
                else:
                    owed_reply_before = True
                    reply_clock = start(Metric.FIRST_REPLY, step.at, 1)
        elif step.happening is Happening.AGENT_REPLY:
            # An agent writing first (an outbound ticket) makes the customer's answer a next reply.
            owed_reply_before = True
            complete(reply_clock, step.at)
        else:
            was_finished = status in FINISHED_STATUSES
            status = step.status
            for clock in clocks:
                if clock.completed_at is None:
                    if paused():
                        clock.stop_running(step.at)
                    elif clock.running_since is None:
                        clock.running_since = step.at
            if status in FINISHED_STATUSES:
                complete(reply_clock, step.at)
                complete(resolution, step.at)
            elif was_finished and resolution is not None:
                # Reopened: the resolution clock resumes where it stopped.
                resolution.completed_at = None
                resolution.running_since = None if paused() else step.at
    return [clock.state() for clock in clocks]
