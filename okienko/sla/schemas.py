"""API shapes of business calendars, SLA policies and a ticket's SLA."""

import datetime
from typing import Any

from ninja import Field, Schema

from okienko.sla.choices import Metric, Outcome
from okienko.sla.selectors import TicketSla
from okienko.tickets.choices import Priority

Hours = list[tuple[str, str]]


class ClosedDay(Schema):
    date: datetime.date
    name: str = Field("", max_length=100)


class OpenDay(Schema):
    date: datetime.date
    hours: Hours


class CalendarIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    time_zone: str = "Europe/Warsaw"
    country: str = Field("PL", max_length=8, description="Public holidays of; empty for none")
    hours: dict[str, Hours] = Field(
        ...,
        description='Weekday (0 = Monday) -> [["08:00", "16:00"], ...]; end "00:00" = midnight',
    )
    closed_days: list[ClosedDay] = []
    open_days: list[OpenDay] = []
    is_default: bool = False

    def as_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class CalendarOut(CalendarIn):
    id: int
    holidays: list[ClosedDay] = Field(description="Public holidays of this year and the next")


class TargetIn(Schema):
    priority: Priority
    metric: Metric
    minutes: int = Field(..., ge=1)
    business_hours: bool = True


class PolicyIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = ""
    position: int = Field(0, ge=0)
    is_active: bool = True
    conditions: dict[str, list[Any]] = Field(
        {},
        description="Field -> accepted values; fields: channel, priority, tier (slugs), "
        "organisation, category, inbox (ids), tag (names). Empty matches every ticket.",
    )
    calendar_id: int | None = Field(None, description="Empty: the default calendar")
    warn_percent: int = Field(75, ge=1, le=99)
    targets: list[TargetIn]


class PolicyOut(Schema):
    id: int
    name: str
    description: str
    position: int
    is_active: bool
    conditions: dict[str, list[Any]]
    calendar_id: int
    warn_percent: int
    targets: list[TargetIn]

    @staticmethod
    def resolve_targets(policy: Any) -> list[Any]:
        return list(policy.targets.all())


class ClockOut(Schema):
    metric: Metric
    cycle: int
    target_minutes: float
    business_hours: bool
    started_at: datetime.datetime
    due_at: datetime.datetime | None
    remaining_seconds: int | None = Field(
        description="Business (or calendar) time left; negative when overdue; null once stopped"
    )
    paused: bool
    completed_at: datetime.datetime | None
    outcome: Outcome | None
    late_by_seconds: int | None
    warned_at: datetime.datetime | None
    breached_at: datetime.datetime | None


class PolicyRef(Schema):
    id: int
    name: str


class TicketSlaOut(Schema):
    policy: PolicyRef | None
    calendar: str
    targets: list[ClockOut]

    @classmethod
    def of(cls, sla: TicketSla) -> dict[str, Any]:
        return {
            "policy": {"id": sla.policy.pk, "name": sla.policy.name} if sla.policy else None,
            "calendar": sla.calendar_name,
            "targets": [
                {
                    "metric": view.clock.metric,
                    "cycle": view.clock.cycle,
                    "target_minutes": view.clock.target_seconds / 60,
                    "business_hours": view.clock.business_hours,
                    "started_at": view.clock.started_at,
                    "due_at": view.clock.due_at,
                    "remaining_seconds": view.remaining_seconds,
                    "paused": view.is_paused,
                    "completed_at": view.clock.completed_at,
                    "outcome": view.clock.outcome or None,
                    "late_by_seconds": view.clock.late_by_seconds,
                    "warned_at": view.clock.warned_at,
                    "breached_at": view.clock.breached_at,
                }
                for view in sla.clocks
            ],
        }
