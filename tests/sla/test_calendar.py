"""Business-time arithmetic for SLA targets: pure functions of a calendar, no database."""

import datetime
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.sla.calendar import (
    DEFAULT_CALENDAR,
    OFFICE_HOURS,
    BusinessCalendar,
    WorkingHours,
    calendar_24_7,
)

WARSAW = ZoneInfo("Europe/Warsaw")
UTC = datetime.UTC
HOUR = timedelta(hours=1)
TINY = timedelta(microseconds=1)
NAIVE = datetime.datetime(2026, 1, 9, 10)  # noqa: DTZ001 - the input being refused


def warsaw(*args: int, fold: int = 0) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WARSAW, fold=fold)


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def in_utc(moment: datetime.datetime) -> datetime.datetime:
    # Arithmetic and ordering of datetimes sharing a ZoneInfo follow the wall clock (an hour off
    # across a DST change, fold ignored), so the tests compute on UTC instants.
    return moment.astimezone(UTC)


def chronological(moments: list[datetime.datetime]) -> list[datetime.datetime]:
    return sorted(moments, key=in_utc)


WEEKDAYS = range(5)
LUNCH_BREAK = BusinessCalendar(
    hours=WorkingHours(
        {day: [(time(8), time(12)), (time(12, 30), time(16, 30))] for day in WEEKDAYS}
    )
)
SATURDAYS = BusinessCalendar(
    hours=WorkingHours(
        {**{day: [(time(8), time(16))] for day in WEEKDAYS}, 5: [(time(9), time(13))]}
    )
)
# Opening hours across both DST changes and up to midnight, to exercise the DST rule.
NIGHT_SHIFTS = BusinessCalendar(
    hours=WorkingHours({day: [(time(0, 30), time(2, 30)), (time(2, 45), time(3, 15)),
                              (time(22), time(0, 0))] for day in range(7)})
)  # fmt: skip
CALENDARS = {
    "default": DEFAULT_CALENDAR,
    "lunch-break": LUNCH_BREAK,
    "saturdays": SATURDAYS,
    "night-shifts": NIGHT_SHIFTS,
    "24/7": calendar_24_7(),
}
any_calendar = pytest.mark.parametrize("calendar", CALENDARS.values(), ids=CALENDARS.keys())

# Europe/Warsaw changes clock at 01:00 UTC on the last Sundays of March and October.
DST_CHANGES = [
    utc(year, month, day, 1)
    for year, month, day in [
        (2024, 3, 31), (2024, 10, 27), (2025, 3, 30), (2025, 10, 26), (2026, 3, 29),
        (2026, 10, 25), (2027, 3, 28), (2027, 10, 31), (2028, 3, 26), (2028, 10, 29),
        (2029, 3, 25), (2029, 10, 28), (2030, 3, 31), (2030, 10, 27),
    ]
]  # fmt: skip
FIRST_MINUTE = utc(2024, 1, 1)
LAST_MINUTE = utc(2030, 12, 31, 23, 59)
minutes_2024_to_2030 = st.integers(0, int((LAST_MINUTE - FIRST_MINUTE) / timedelta(minutes=1)))
starts = st.one_of(
    minutes_2024_to_2030.map(lambda minutes: FIRST_MINUTE + timedelta(minutes=minutes)),
    st.builds(
        lambda change, minutes: change + timedelta(minutes=minutes),
        st.sampled_from(DST_CHANGES),
        st.integers(-48 * 60, 48 * 60),
    ),
).map(lambda moment: moment.astimezone(WARSAW))
durations = st.one_of(st.integers(0, 10 * 60), st.integers(0, 2000 * 60)).map(
    lambda minutes: timedelta(minutes=minutes)
)
positive_durations = durations.map(lambda duration: duration + timedelta(minutes=1))

# The autouse fixtures of tests/conftest.py only set Django settings; reusing them is harmless.
invariant = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# Polish examples on Monday-Friday 08:00-16:00


def test_friday_afternoon_ticket_is_due_on_monday():
    due = DEFAULT_CALENDAR.add(warsaw(2026, 1, 9, 15), 8 * HOUR)

    assert due == warsaw(2026, 1, 12, 15)
    assert due.tzinfo is UTC


def test_christmas_eve_is_closed_since_2025_so_23_december_ticket_is_due_after_christmas():
    due = DEFAULT_CALENDAR.add(warsaw(2026, 12, 23, 14), 8 * HOUR)

    assert due == warsaw(2026, 12, 28, 14)


def test_christmas_eve_2024_was_still_a_working_day():
    assert DEFAULT_CALENDAR.is_open(warsaw(2024, 12, 24, 10)) is True
    assert DEFAULT_CALENDAR.is_open(warsaw(2025, 12, 24, 10)) is False


def test_holidays_in_2026_are_the_polish_public_holidays_with_polish_names():
    holidays = DEFAULT_CALENDAR.holidays_in(2026)

    assert sorted(holidays) == [
        date(2026, 1, 1),
        date(2026, 1, 6),
        date(2026, 4, 5),
        date(2026, 4, 6),
        date(2026, 5, 1),
        date(2026, 5, 3),
        date(2026, 5, 24),
        date(2026, 6, 4),
        date(2026, 8, 15),
        date(2026, 11, 1),
        date(2026, 11, 11),
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 26),
    ]
    assert holidays[date(2026, 12, 24)] == "Wigilia Bożego Narodzenia"
    assert holidays[date(2026, 6, 4)] == "Dzień Bożego Ciała"


@pytest.mark.parametrize(
    ("ticket", "due"),
    [
        # Easter Monday, 6 April
        pytest.param(warsaw(2026, 4, 3, 15), warsaw(2026, 4, 7, 9), id="easter-monday"),
        # 1 May is a Friday (3 May a Sunday)
        pytest.param(warsaw(2026, 4, 30, 15), warsaw(2026, 5, 4, 9), id="1-may"),
        # Corpus Christi, Thursday 4 June
        pytest.param(warsaw(2026, 6, 3, 15), warsaw(2026, 6, 5, 9), id="corpus-christi"),
        # Independence Day, Wednesday 11 November
        pytest.param(warsaw(2026, 11, 10, 15), warsaw(2026, 11, 12, 9), id="11-november"),
        # 6 January, Tuesday
        pytest.param(warsaw(2026, 1, 5, 15), warsaw(2026, 1, 7, 9), id="epiphany"),
    ],
)
def test_public_holidays_are_skipped(ticket, due):
    assert DEFAULT_CALENDAR.add(ticket, 2 * HOUR) == due


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(warsaw(2026, 4, 6, 10), id="easter-monday"),
        pytest.param(warsaw(2026, 5, 1, 10), id="1-may"),
        pytest.param(warsaw(2026, 5, 3, 10), id="3-may"),
        pytest.param(warsaw(2026, 6, 4, 10), id="corpus-christi"),
        pytest.param(warsaw(2026, 11, 11, 10), id="11-november"),
    ],
)
def test_public_holidays_are_closed_even_with_weekend_hours(moment):
    every_day = BusinessCalendar(
        hours=WorkingHours({day: [(time(8), time(16))] for day in range(7)})
    )

    assert every_day.is_open(moment) is False
    assert every_day.is_open(moment + timedelta(days=7)) is True


def test_assumption_day_on_a_saturday_is_closed_anyway_and_closes_a_saturday_shift():
    assert DEFAULT_CALENDAR.is_open(warsaw(2026, 8, 15, 10)) is False
    assert SATURDAYS.is_open(warsaw(2026, 8, 15, 10)) is False
    assert SATURDAYS.is_open(warsaw(2026, 8, 22, 10)) is True


def test_saturday_request_counts_from_monday_eight_o_clock():
    saturday = warsaw(2026, 1, 10, 11, 20)

    assert DEFAULT_CALENDAR.next_opening(saturday) == warsaw(2026, 1, 12, 8)
    assert DEFAULT_CALENDAR.add(saturday, HOUR) == warsaw(2026, 1, 12, 9)
    assert DEFAULT_CALENDAR.between(saturday, warsaw(2026, 1, 12, 8, 30)) == timedelta(minutes=30)


def test_saturday_with_saturday_hours_counts_from_the_request():
    assert SATURDAYS.add(warsaw(2026, 1, 10, 11, 20), HOUR) == warsaw(2026, 1, 10, 12, 20)
    assert SATURDAYS.add(warsaw(2026, 1, 10, 12, 20), HOUR) == warsaw(2026, 1, 12, 8, 20)


def test_bridge_day_off_and_worked_saturday():
    # Corpus Christi 2026 is a Thursday: the company takes Friday off and works Saturday 13 June.
    calendar = BusinessCalendar(
        extra_closed_days=frozenset({date(2026, 6, 5)}),
        extra_open_days={date(2026, 6, 13): [(time(9), time(13))]},
    )

    assert calendar.add(warsaw(2026, 6, 3, 15), 2 * HOUR) == warsaw(2026, 6, 8, 9)
    assert calendar.add(warsaw(2026, 6, 12, 15), 2 * HOUR) == warsaw(2026, 6, 13, 10)
    assert calendar.between(warsaw(2026, 6, 3), warsaw(2026, 6, 15)) == 8 * HOUR * 6 + 4 * HOUR


def test_a_year_of_office_hours_is_its_working_days():
    # 2026: 261 weekdays, 8 of them Polish public holidays (1 and 6 January, Easter Monday,
    # 1 May, Corpus Christi, 11 November, 24 and 25 December).
    year = DEFAULT_CALENDAR.between(warsaw(2026, 1, 1), warsaw(2027, 1, 1))
    across_new_year = DEFAULT_CALENDAR.between(warsaw(2025, 12, 31, 15), warsaw(2027, 1, 4, 9))

    assert year == 253 * 8 * HOUR
    assert across_new_year == HOUR + 253 * 8 * HOUR + HOUR


def test_extra_open_day_overrides_a_public_holiday():
    calendar = BusinessCalendar(extra_open_days={date(2026, 11, 11): [(time(10), time(14))]})

    assert calendar.add(warsaw(2026, 11, 10, 15), 2 * HOUR) == warsaw(2026, 11, 11, 11)
    assert calendar.is_open(warsaw(2026, 11, 11, 9, 59)) is False


def test_lunch_break_is_not_counted():
    assert LUNCH_BREAK.add(warsaw(2026, 1, 12, 11, 30), HOUR) == warsaw(2026, 1, 12, 13)
    assert LUNCH_BREAK.is_open(warsaw(2026, 1, 12, 12, 15)) is False
    assert LUNCH_BREAK.between(warsaw(2026, 1, 12), warsaw(2026, 1, 13)) == 8 * HOUR


def test_target_running_out_at_closing_is_due_at_closing():
    assert DEFAULT_CALENDAR.add(warsaw(2026, 1, 9, 8), 8 * HOUR) == warsaw(2026, 1, 9, 16)


def test_zero_duration_is_the_start_when_open_else_the_next_opening():
    assert DEFAULT_CALENDAR.add(warsaw(2026, 1, 9, 10), timedelta(0)) == warsaw(2026, 1, 9, 10)
    assert DEFAULT_CALENDAR.add(warsaw(2026, 1, 9, 16), timedelta(0)) == warsaw(2026, 1, 12, 8)


def test_ninety_business_days():
    due = DEFAULT_CALENDAR.add(warsaw(2026, 1, 2, 8), 90 * 8 * HOUR)

    # 2 January + 90 working days, skipping 6 January and Easter Monday.
    assert due == warsaw(2026, 5, 12, 16)


def test_interval_ending_at_midnight_runs_to_the_end_of_the_day():
    evenings = BusinessCalendar(hours=WorkingHours({4: [(time(20), time(0, 0))]}))

    assert evenings.add(warsaw(2026, 1, 9, 23), 2 * HOUR) == warsaw(2026, 1, 16, 21)
    assert evenings.is_open(warsaw(2026, 1, 9, 23, 59, 59)) is True
    assert evenings.is_open(warsaw(2026, 1, 10)) is False


def test_start_given_in_another_time_zone_gives_the_same_result():
    start = warsaw(2026, 1, 9, 15).astimezone(ZoneInfo("America/New_York"))

    assert DEFAULT_CALENDAR.add(start, 8 * HOUR) == utc(2026, 1, 12, 14)


# Daylight saving time: a boundary happens at the first instant the wall clock reads its time
# or later, and business time is the real time elapsed between opening and closing.


def test_24_7_across_spring_forward_counts_real_hours():
    # 00:00 CET is 23:00 UTC; eight real hours later it is 07:00 UTC, which is 09:00 CEST:
    # the wall clock shows nine hours because 02:00-03:00 never happened.
    due = calendar_24_7().add(warsaw(2026, 3, 29), 8 * HOUR)

    assert due == utc(2026, 3, 29, 7)
    assert due.astimezone(WARSAW).timetuple()[:5] == (2026, 3, 29, 9, 0)


def test_24_7_across_fall_back_counts_the_repeated_hour_each_time_it_passes():
    # 00:00 CEST is 22:00 UTC; eight real hours later it is 06:00 UTC, which is 07:00 CET.
    due = calendar_24_7().add(warsaw(2026, 10, 25), 8 * HOUR)

    assert due == utc(2026, 10, 25, 6)
    assert due.astimezone(WARSAW).timetuple()[:5] == (2026, 10, 25, 7, 0)


def test_24_7_days_of_dst_changes_last_23_and_25_hours():
    always = calendar_24_7()

    assert always.between(warsaw(2026, 3, 29), warsaw(2026, 3, 30)) == 23 * HOUR
    assert always.between(warsaw(2026, 10, 25), warsaw(2026, 10, 26)) == 25 * HOUR


def test_office_hours_are_unaffected_by_dst_changes():
    assert DEFAULT_CALENDAR.add(warsaw(2026, 3, 27, 15), 2 * HOUR) == utc(2026, 3, 30, 7)
    assert DEFAULT_CALENDAR.add(warsaw(2026, 10, 23, 15), 2 * HOUR) == utc(2026, 10, 26, 8)


def test_interval_spanning_a_dst_change_lasts_the_real_time():
    sunday_night = BusinessCalendar(hours=WorkingHours({6: [(time(1), time(5))]}), country=None)

    assert sunday_night.between(warsaw(2026, 3, 29), warsaw(2026, 3, 30)) == 3 * HOUR
    assert sunday_night.between(warsaw(2026, 10, 25), warsaw(2026, 10, 26)) == 5 * HOUR
    assert sunday_night.between(warsaw(2026, 10, 18), warsaw(2026, 10, 19)) == 4 * HOUR


def test_interval_starting_in_the_skipped_hour_opens_when_the_clock_jumps():
    calendar = BusinessCalendar(hours=WorkingHours({6: [(time(2, 30), time(4))]}), country=None)

    assert calendar.next_opening(warsaw(2026, 3, 29)) == utc(2026, 3, 29, 1)
    assert calendar.between(warsaw(2026, 3, 29), warsaw(2026, 3, 30)) == HOUR


def test_interval_inside_the_skipped_hour_vanishes():
    calendar = BusinessCalendar(hours=WorkingHours({6: [(time(2, 15), time(2, 45))]}), country=None)

    assert calendar.between(warsaw(2026, 3, 29), warsaw(2026, 3, 30)) == timedelta(0)
    assert calendar.next_opening(warsaw(2026, 3, 28)) == warsaw(2026, 4, 5, 2, 15)


def test_boundary_in_the_repeated_hour_is_its_first_occurrence():
    calendar = BusinessCalendar(hours=WorkingHours({6: [(time(2, 30), time(4))]}), country=None)

    # 02:30 CEST (00:30 UTC) to 04:00 CET (03:00 UTC), including the second pass of 02:00-02:30.
    assert calendar.next_opening(warsaw(2026, 10, 25)) == utc(2026, 10, 25, 0, 30)
    assert calendar.between(warsaw(2026, 10, 25), warsaw(2026, 10, 26)) == 2.5 * HOUR
    assert calendar.is_open(warsaw(2026, 10, 25, 2, 15, fold=1)) is True


def test_adjacent_intervals_meet_exactly_in_the_repeated_hour():
    split = BusinessCalendar(
        hours=WorkingHours({6: [(time(1), time(2, 30)), (time(2, 30), time(4))]}), country=None
    )

    # 01:00 CEST (23:00 UTC) to 04:00 CET (03:00 UTC): four real hours, as if not split.
    assert split.between(warsaw(2026, 10, 25), warsaw(2026, 10, 26)) == 4 * HOUR
    assert split.add(warsaw(2026, 10, 25), 1.5 * HOUR) == utc(2026, 10, 25, 0, 30)


# Invariants


@any_calendar
@invariant
@given(start=starts, duration=durations)
def test_between_measures_what_add_added(calendar, start, duration):
    assert calendar.between(start, calendar.add(start, duration)) == duration


# Up to two years of business time: a clock running for months.
long_durations = st.integers(0, 2 * 365 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes))


@any_calendar
@invariant
@given(start=starts, duration=long_durations)
def test_between_measures_what_add_added_over_months(calendar, start, duration):
    assert calendar.between(start, calendar.add(start, duration)) == duration


@any_calendar
@invariant
@given(start=starts, duration=durations)
def test_add_never_goes_back_and_returns_utc(calendar, start, duration):
    due = calendar.add(start, duration)

    assert due >= start
    assert due.tzinfo is UTC


@any_calendar
@invariant
@given(start=starts, duration=positive_durations)
def test_last_counted_moment_was_open(calendar, start, duration):
    assert calendar.is_open(calendar.add(start, duration) - TINY) is True


@any_calendar
@invariant
@given(start=starts, first=durations, second=positive_durations)
def test_add_is_associative(calendar, start, first, second):
    # A zero second part would differ when the first part ends at a closing: add(closing, 0)
    # is the next opening (test_zero_duration_is_the_start_when_open_else_the_next_opening).
    assert calendar.add(start, first + second) == calendar.add(calendar.add(start, first), second)


@any_calendar
@invariant
@given(moments=st.lists(starts, min_size=3, max_size=3).map(chronological))
def test_between_is_additive_over_a_split_point(calendar, moments):
    start, split, end = moments

    assert calendar.between(start, end) == (
        calendar.between(start, split) + calendar.between(split, end)
    )


@any_calendar
@invariant
@given(moments=st.lists(starts, min_size=2, max_size=2).map(chronological))
def test_between_is_zero_backwards(calendar, moments):
    start, end = moments

    assert calendar.between(end, start) == timedelta(0)


@any_calendar
@invariant
@given(moment=starts)
def test_is_open_agrees_with_between(calendar, moment):
    expected = TINY * calendar.is_open(moment)

    assert calendar.between(moment, in_utc(moment) + TINY) == expected


@any_calendar
@invariant
@given(moment=starts)
def test_next_opening_is_open_and_nothing_is_counted_before_it(calendar, moment):
    opening = calendar.next_opening(moment)

    assert opening >= moment
    assert calendar.is_open(opening) is True
    assert calendar.between(moment, opening) == timedelta(0)


@invariant
@given(start=starts, duration=durations)
def test_24_7_add_is_plain_addition(start, duration):
    assert calendar_24_7().add(start, duration) == in_utc(start) + duration


@invariant
@given(moments=st.lists(starts, min_size=2, max_size=2).map(chronological))
def test_24_7_between_is_elapsed_time(moments):
    start, end = moments

    assert calendar_24_7().between(start, end) == in_utc(end) - in_utc(start)


# Validation


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: DEFAULT_CALENDAR.is_open(NAIVE), id="is_open"),
        pytest.param(lambda: DEFAULT_CALENDAR.add(NAIVE, HOUR), id="add"),
        pytest.param(
            lambda: DEFAULT_CALENDAR.between(NAIVE, warsaw(2026, 1, 10)),
            id="between",
        ),
        pytest.param(
            lambda: DEFAULT_CALENDAR.next_opening(NAIVE),
            id="next_opening",
        ),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_negative_duration_is_refused():
    with pytest.raises(ValueError, match="negative"):
        DEFAULT_CALENDAR.add(warsaw(2026, 1, 9, 10), -HOUR)


@pytest.mark.parametrize(
    ("intervals", "message"),
    [
        pytest.param({0: [(time(16), time(8))]}, "ends before it starts", id="backwards"),
        pytest.param({0: [(time(8), time(8))]}, "ends before it starts", id="empty"),
        pytest.param({0: [(time(8), time(12)), (time(11), time(16))]}, "overlap", id="overlap"),
        pytest.param({0: [(time(8), time(0, 0)), (time(20), time(22))]}, "overlap", id="midnight"),
        pytest.param({7: [(time(8), time(16))]}, "weekday", id="weekday"),
        pytest.param({0: [(time(8, tzinfo=UTC), time(16))]}, "wall-clock", id="aware"),
    ],
)
def test_invalid_working_hours_are_refused(intervals, message):
    with pytest.raises(ValueError, match=message):
        WorkingHours(intervals)


def test_intervals_are_sorted_and_closed_weekdays_dropped():
    hours = WorkingHours({0: [(time(13), time(16)), (time(8), time(12))], 6: []})

    assert hours.intervals == {0: ((time(8), time(12)), (time(13), time(16)))}
    assert hours == WorkingHours({0: [(time(8), time(12)), (time(13), time(16))]})
    assert hash(hours) == hash(WorkingHours({0: [(time(8), time(12)), (time(13), time(16))]}))


def test_calendar_keeps_its_own_copy_of_the_hours():
    intervals = {0: [(time(8), time(16))]}
    hours = WorkingHours(intervals)
    intervals[0].append((time(18), time(20)))

    assert hours.intervals == {0: ((time(8), time(16)),)}


def test_default_calendar_is_office_hours_in_warsaw_with_polish_holidays():
    assert BusinessCalendar() == DEFAULT_CALENDAR
    assert hash(DEFAULT_CALENDAR) == hash(BusinessCalendar())
    assert (DEFAULT_CALENDAR.time_zone, DEFAULT_CALENDAR.hours, DEFAULT_CALENDAR.country) == (
        "Europe/Warsaw",
        OFFICE_HOURS,
        "PL",
    )


def test_unknown_country_is_refused():
    with pytest.raises(ValueError, match="country 'XX'"):
        BusinessCalendar(country="XX")


def test_unknown_time_zone_is_refused():
    with pytest.raises(ZoneInfoNotFoundError):
        BusinessCalendar(time_zone="Europe/Atlantis")


def test_day_both_open_and_closed_is_refused():
    day = date(2026, 6, 13)

    with pytest.raises(ValueError, match="both extra open and extra closed"):
        BusinessCalendar(
            extra_closed_days=frozenset({day}), extra_open_days={day: [(time(9), time(13))]}
        )


def test_calendar_without_hours_counts_nothing_and_has_no_due_date():
    closed = BusinessCalendar(hours=WorkingHours({}))

    assert closed.between(warsaw(2026, 1, 1), warsaw(2027, 1, 1)) == timedelta(0)
    with pytest.raises(ValueError, match="never opens again"):
        closed.add(warsaw(2026, 1, 1), HOUR)


def test_calendar_open_only_on_extra_days_stops_after_the_last_one():
    one_day = BusinessCalendar(
        hours=WorkingHours({}), extra_open_days={date(2026, 6, 13): [(time(9), time(13))]}
    )

    assert one_day.add(warsaw(2026, 1, 1), HOUR) == warsaw(2026, 6, 13, 10)
    with pytest.raises(ValueError, match="never opens again"):
        one_day.add(warsaw(2026, 1, 1), 5 * HOUR)


def test_24_7_has_no_holidays():
    assert calendar_24_7().holidays_in(2026) == {}
    assert calendar_24_7().is_open(warsaw(2026, 12, 24, 3)) is True
