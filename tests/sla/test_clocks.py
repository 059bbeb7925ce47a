"""SLA clocks replayed from a ticket's history: pure, no database."""

import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from okienko.sla.calendar import DEFAULT_CALENDAR, calendar_24_7
from okienko.sla.choices import Metric
from okienko.sla.clocks import Happening, Step, Target, replay

WARSAW = ZoneInfo("Europe/Warsaw")
HOUR = 3600
ALL_DAY = calendar_24_7()


def warsaw(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WARSAW)


# Monday 2026-11-16, 09:00 in Warsaw: the office (08:00-16:00) is open.
MONDAY_9 = warsaw(2026, 11, 16, 9)
TARGETS = {
    Metric.FIRST_REPLY: Target(4 * HOUR),
    Metric.NEXT_REPLY: Target(8 * HOUR),
    Metric.RESOLUTION: Target(16 * HOUR),
}


def customer(at: datetime.datetime) -> Step:
    return Step(at, Happening.CUSTOMER_MESSAGE)


def agent(at: datetime.datetime) -> Step:
    return Step(at, Happening.AGENT_REPLY)


def status(at: datetime.datetime, new: str) -> Step:
    return Step(at, Happening.STATUS, new)


def clocks(steps, *, targets=TARGETS, calendar=DEFAULT_CALENDAR, created=MONDAY_9, initial="new"):
    states = replay(
        created_at=created,
        initial_status=initial,
        steps=steps,
        targets=targets,
        calendar=calendar,
        warn_percent=75,
    )
    return {(state.metric, state.cycle): state for state in states}


def test_a_new_ticket_has_first_reply_and_resolution_due_in_business_hours():
    states = clocks([customer(MONDAY_9)])
    first = states[(Metric.FIRST_REPLY, 1)]
    assert first.due_at == warsaw(2026, 11, 16, 13)
    assert first.warn_at == warsaw(2026, 11, 16, 12)
    assert first.running_since == MONDAY_9
    # 16 business hours from Monday 09:00: Monday 7 h, Tuesday 8 h, Wednesday 1 h.
    assert states[(Metric.RESOLUTION, 1)].due_at == warsaw(2026, 11, 18, 9)
    assert (Metric.NEXT_REPLY, 1) not in states


def test_a_message_after_hours_is_due_the_next_business_morning():
    friday_evening = warsaw(2026, 11, 20, 18)
    states = clocks([customer(friday_evening)], created=friday_evening)
    assert states[(Metric.FIRST_REPLY, 1)].due_at == warsaw(2026, 11, 23, 12)


def test_a_holiday_is_skipped():
    # 11 November (Independence Day) is a Wednesday in 2026.
    tuesday_15 = warsaw(2026, 11, 10, 15)
    states = clocks([customer(tuesday_15)], created=tuesday_15)
    assert states[(Metric.FIRST_REPLY, 1)].due_at == warsaw(2026, 11, 12, 11)


def test_the_first_agent_reply_meets_the_first_reply_target():
    states = clocks([customer(MONDAY_9), agent(MONDAY_9 + timedelta(hours=1))])
    first = states[(Metric.FIRST_REPLY, 1)]
    assert first.completed_at == MONDAY_9 + timedelta(hours=1)
    assert first.elapsed_seconds == HOUR
    assert first.late_by_seconds == -3 * HOUR
    assert first.due_at == warsaw(2026, 11, 16, 13)


def test_a_late_reply_is_late_by_the_business_time_over_the_target():
    states = clocks([customer(MONDAY_9), agent(warsaw(2026, 11, 17, 10))])
    first = states[(Metric.FIRST_REPLY, 1)]
    # Monday 09:00-16:00 is 7 h, Tuesday 08:00-10:00 is 2 h: 9 h against 4 h.
    assert first.elapsed_seconds == 9 * HOUR
    assert first.late_by_seconds == 5 * HOUR
    assert first.due_at == warsaw(2026, 11, 16, 13)


def test_each_customer_message_after_a_reply_starts_a_next_reply_round():
    steps = [
        customer(MONDAY_9),
        agent(warsaw(2026, 11, 16, 10)),
        customer(warsaw(2026, 11, 16, 11)),
        customer(warsaw(2026, 11, 16, 11, 30)),  # still the same round
        agent(warsaw(2026, 11, 16, 12)),
        customer(warsaw(2026, 11, 16, 14)),
    ]
    states = clocks(steps)
    first_round = states[(Metric.NEXT_REPLY, 1)]
    assert first_round.started_at == warsaw(2026, 11, 16, 11)
    assert first_round.completed_at == warsaw(2026, 11, 16, 12)
    second = states[(Metric.NEXT_REPLY, 2)]
    assert second.completed_at is None
    # 8 business hours from Monday 14:00: 2 h on Monday, 6 h on Tuesday.
    assert second.due_at == warsaw(2026, 11, 17, 14)
    assert (Metric.NEXT_REPLY, 3) not in states


def test_pending_pauses_every_clock_and_the_deadline_moves_by_the_pause():
    steps = [
        customer(MONDAY_9),
        status(warsaw(2026, 11, 16, 10), "pending"),
        status(warsaw(2026, 11, 16, 13), "open"),
    ]
    states = clocks(steps)
    first = states[(Metric.FIRST_REPLY, 1)]
    assert first.elapsed_seconds == HOUR
    assert first.running_since == warsaw(2026, 11, 16, 13)
    assert first.due_at == warsaw(2026, 11, 16, 16)  # 3 h left at 13:00, so at closing time
    paused = clocks(steps[:2])[(Metric.FIRST_REPLY, 1)]
    assert paused.due_at is None
    assert paused.running_since is None


def test_on_hold_pauses_like_pending():
    steps = [customer(MONDAY_9), status(warsaw(2026, 11, 16, 11), "on_hold")]
    resolution = clocks(steps)[(Metric.RESOLUTION, 1)]
    assert resolution.due_at is None
    assert resolution.elapsed_seconds == 2 * HOUR


def test_a_clock_paused_after_its_deadline_still_shows_when_it_was_reached():
    steps = [customer(MONDAY_9), status(warsaw(2026, 11, 17, 9), "pending")]
    first = clocks(steps)[(Metric.FIRST_REPLY, 1)]
    assert first.due_at == warsaw(2026, 11, 16, 13)
    assert first.warn_at == warsaw(2026, 11, 16, 12)


def test_solving_stops_the_clocks_and_reopening_resumes_resolution():
    steps = [
        customer(MONDAY_9),
        agent(warsaw(2026, 11, 16, 10)),
        status(warsaw(2026, 11, 16, 11), "solved"),
        customer(warsaw(2026, 11, 16, 14)),
        status(warsaw(2026, 11, 16, 14), "open"),
    ]
    states = clocks(steps)
    resolution = states[(Metric.RESOLUTION, 1)]
    assert resolution.completed_at is None
    assert resolution.elapsed_seconds == 2 * HOUR
    # 14 h left from Monday 14:00: 2 h Monday, 8 h Tuesday, 4 h Wednesday.
    assert resolution.due_at == warsaw(2026, 11, 18, 12)
    assert states[(Metric.NEXT_REPLY, 1)].started_at == warsaw(2026, 11, 16, 14)
    solved = clocks(steps[:3])[(Metric.RESOLUTION, 1)]
    assert solved.completed_at == warsaw(2026, 11, 16, 11)
    assert solved.late_by_seconds == -14 * HOUR


def test_closing_stops_every_clock_for_good():
    steps = [customer(MONDAY_9), status(warsaw(2026, 11, 16, 10), "closed")]
    states = clocks(steps)
    assert all(state.completed_at == warsaw(2026, 11, 16, 10) for state in states.values())


def test_solving_without_a_reply_owes_the_customer_an_answer_when_they_write_again():
    steps = [
        customer(MONDAY_9),
        status(warsaw(2026, 11, 16, 10), "solved"),
        customer(warsaw(2026, 11, 16, 12)),
        status(warsaw(2026, 11, 16, 12), "open"),
    ]
    states = clocks(steps)
    assert states[(Metric.FIRST_REPLY, 1)].completed_at == warsaw(2026, 11, 16, 10)
    assert states[(Metric.NEXT_REPLY, 1)].due_at == warsaw(2026, 11, 17, 12)


def test_an_agent_writing_first_owes_no_first_reply():
    steps = [agent(MONDAY_9), customer(warsaw(2026, 11, 16, 10))]
    states = clocks(steps)
    assert (Metric.FIRST_REPLY, 1) not in states
    assert states[(Metric.NEXT_REPLY, 1)].started_at == warsaw(2026, 11, 16, 10)


def test_metrics_without_a_target_get_no_clock():
    states = clocks([customer(MONDAY_9)], targets={Metric.FIRST_REPLY: Target(2 * 60)})
    assert list(states) == [(Metric.FIRST_REPLY, 1)]


def test_calendar_time_targets_count_nights_and_weekends():
    friday_evening = warsaw(2026, 11, 20, 18)
    targets = {Metric.FIRST_REPLY: Target(24 * HOUR, business_hours=False)}
    states = clocks([customer(friday_evening)], created=friday_evening, targets=targets)
    assert states[(Metric.FIRST_REPLY, 1)].due_at == warsaw(2026, 11, 21, 18)


def test_a_chat_target_of_two_minutes():
    targets = {Metric.FIRST_REPLY: Target(120, business_hours=False)}
    states = clocks([customer(MONDAY_9)], targets=targets)
    assert states[(Metric.FIRST_REPLY, 1)].due_at == MONDAY_9 + timedelta(minutes=2)
    assert states[(Metric.FIRST_REPLY, 1)].warn_at == MONDAY_9 + timedelta(seconds=90)


moments = st.integers(min_value=0, max_value=60 * 24 * 20).map(
    lambda minutes: MONDAY_9 + timedelta(minutes=minutes)
)
happenings = st.one_of(
    st.builds(customer, moments),
    st.builds(agent, moments),
    st.builds(status, moments, st.sampled_from(["open", "pending", "on_hold", "solved"])),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(happenings, max_size=12))
def test_replay_invariants(raw_steps):
    steps = sorted(raw_steps, key=lambda step: step.at)
    for state in replay(
        created_at=MONDAY_9,
        initial_status="new",
        steps=steps,
        targets=TARGETS,
        calendar=DEFAULT_CALENDAR,
        warn_percent=75,
    ):
        assert state.elapsed_seconds >= 0
        if state.warn_at is not None and state.due_at is not None:
            assert state.warn_at <= state.due_at
        if state.running_since is not None:
            # A running clock's deadline is the business time left, counted from when it resumed.
            left = state.target_seconds - state.elapsed_seconds
            if left > 0:
                counted = DEFAULT_CALENDAR.between(state.running_since, state.due_at)
                assert counted == timedelta(seconds=left)
        if state.completed_at is not None:
            assert state.running_since is None
            assert state.late_by_seconds == state.elapsed_seconds - state.target_seconds


@settings(max_examples=100, deadline=None)
@given(st.lists(happenings, max_size=10), st.integers(min_value=1, max_value=72))
def test_a_pause_never_brings_a_deadline_earlier(raw_steps, pause_hours):
    """Adding a pending spell before the end only keeps or postpones every open deadline."""
    steps = sorted(raw_steps, key=lambda step: step.at)
    end = MONDAY_9 + timedelta(days=21)
    steps = [step for step in steps if step.happening is not Happening.STATUS]
    with_pause = [
        *steps,
        status(end, "pending"),
        status(end + timedelta(hours=pause_hours), "open"),
    ]
    plain = clocks(steps, calendar=ALL_DAY)
    paused = clocks(with_pause, calendar=ALL_DAY)
    for key, state in plain.items():
        later = paused[key]
        if state.due_at is not None and later.due_at is not None and state.due_at > end:
            assert later.due_at == state.due_at + timedelta(hours=pause_hours)
