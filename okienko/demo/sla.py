"""The demo's service promises: Polish office hours and the SLA examples of the seed articles
(premium at once, chat in 2 minutes, B2B in 8 business hours, B2C in 4, mass market in 24)."""

import datetime
from collections.abc import Iterable

from okienko.sla.actions import (
    CalendarInput,
    PolicyInput,
    TargetInput,
    do_refresh_ticket_sla,
    do_save_calendar,
    do_save_policy,
    do_sweep_sla,
)
from okienko.sla.choices import Metric
from okienko.tickets.choices import Priority

OFFICE_HOURS = {str(weekday): [["08:00", "16:00"]] for weekday in range(5)}
# How much of a normal-priority target each priority gets.
PRIORITY_SHARE = {
    Priority.LOW: 2.0,
    Priority.NORMAL: 1.0,
    Priority.HIGH: 0.5,
    Priority.URGENT: 0.25,
}
HOUR = 60


def _targets(
    first: int, next_reply: int, resolution: int, *, business_hours: bool = True
) -> list[TargetInput]:
    """Targets in minutes for normal priority, scaled for the others."""
    return [
        TargetInput(priority, metric, max(1, round(minutes * share)), business_hours)
        for priority, share in PRIORITY_SHARE.items()
        for metric, minutes in (
            (Metric.FIRST_REPLY, first),
            (Metric.NEXT_REPLY, next_reply),
            (Metric.RESOLUTION, resolution),
        )
    ]


POLICIES = [
    ("Premium — od ręki", {"tier": ["premium"]}, _targets(15, 30, 8 * HOUR)),
    ("Czat — 2 minuty", {"channel": ["chat"]}, _targets(2, 2, 4 * HOUR)),
    ("B2B — 8 godzin roboczych", {"tier": ["business"]}, _targets(8 * HOUR, 8 * HOUR, 40 * HOUR)),
    ("B2C — 4 godziny robocze", {"tier": ["consumer"]}, _targets(4 * HOUR, 8 * HOUR, 24 * HOUR)),
    (
        "Klienci masowi — 24 godziny",
        {},
        _targets(24 * HOUR, 24 * HOUR, 72 * HOUR, business_hours=False),
    ),
]


def write_sla(ticket_ids: Iterable[int], *, now: datetime.datetime) -> None:
    """Set up the calendar and policies, give every ticket its clocks, and record the warnings
    and breaches its history has already earned."""
    do_save_calendar(
        data=CalendarInput(
            name="Biuro: pon.–pt. 8–16", hours=OFFICE_HOURS, country="PL", is_default=True
        )
    )
    for position, (name, conditions, targets) in enumerate(POLICIES, start=1):
        do_save_policy(
            data=PolicyInput(name=name, conditions=conditions, targets=targets, position=position)
        )
    for ticket_id in ticket_ids:
        do_refresh_ticket_sla(ticket_id, at=now)
    do_sweep_sla(now=now)
