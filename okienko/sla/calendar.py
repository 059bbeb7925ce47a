"""Business-time arithmetic for SLA targets: opening hours, public holidays and days off.

An SLA target such as "answer within 8 business hours" is measured only while the company is
open. ``BusinessCalendar`` knows when that is and answers three questions: is it open now
(``is_open``), when has a given amount of business time passed (``add``), and how much business
time lies between two moments (``between``).

Everything works on aware datetimes; results are in UTC, as the database stores them. UTC also
keeps callers' arithmetic honest: ``+`` and ``-`` on datetimes that share a ZoneInfo follow the
wall clock, so they are an hour off across a DST change. The walk is day by day and interval by
interval, never minute by minute, so a target of a year costs a few hundred steps.

Daylight saving time. Opening hours are wall-clock times in ``time_zone``. A boundary at wall
time ``t`` on a day happens at the first instant at which the clock reads ``t`` or later, and
business time is the real time that elapses between an opening and its closing:

* spring forward (Europe/Warsaw: last Sunday of March, 02:00 -> 03:00): a boundary inside the
  skipped hour happens at 03:00, so an interval overlapping the skipped hour is shortened by the
  skipped part and one lying entirely inside it disappears; a 24/7 day lasts 23 hours;
* fall back (last Sunday of October, 03:00 -> 02:00): a boundary inside the repeated hour happens
  at its first occurrence, and an interval spanning the repeated hour lasts the real time elapsed,
  so each real pass of the repeated hour is counted once; a 24/7 day lasts 25 hours.

Because every boundary resolves by the same rule, adjacent intervals (08:00-12:00 and
12:00-16:00; one day closing at midnight and the next opening at it) meet exactly: no business
time is lost or counted twice, and on a 24/7 calendar business time is plain elapsed time.
"""

import datetime
import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays

Interval = tuple[datetime.time, datetime.time]
UtcInterval = tuple[datetime.datetime, datetime.datetime]
# Days a calendar remembers the intervals of (about 27 years of them).
MAX_REMEMBERED_DAYS = 10_000
# Years a calendar remembers the running sums of business time of.
MAX_REMEMBERED_YEARS = 30

MIDNIGHT = datetime.time(0, 0)
ONE_DAY = datetime.timedelta(days=1)
_UTC = datetime.UTC
# The holiday names of a Polish helpdesk are shown in Polish wherever the package translates them.
_HOLIDAY_LANGUAGE = "pl"


def _normalise_day(intervals: Sequence[Interval], *, where: str) -> tuple[Interval, ...]:
    """Validate one day's intervals and return them sorted, as an immutable tuple."""
    ordered = tuple(sorted((start, end) for start, end in intervals))
    previous_end: datetime.time | None = None
    for start, end in ordered:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"{where}: opening hours are local wall-clock times, without tzinfo")
        if end != MIDNIGHT and end <= start:
            raise ValueError(f"{where}: interval {start}-{end} ends before it starts")
        if previous_end is not None and (previous_end == MIDNIGHT or start < previous_end):
            raise ValueError(f"{where}: intervals overlap")
        previous_end = end
    return ordered


@dataclass(frozen=True)
class WorkingHours:
    """Opening hours per weekday: weekday (0=Monday) -> list of (start, end) local times;
    a weekday missing or with [] is closed. Several intervals a day allowed (e.g. lunch break).
    end may be time(0, 0) meaning midnight at the end of the day; 24/7 is every weekday
    [(00:00, 00:00)]."""

    intervals: Mapping[int, Sequence[tuple[datetime.time, datetime.time]]]

    def __post_init__(self) -> None:
        normalised: dict[int, tuple[Interval, ...]] = {}
        for weekday, day_intervals in self.intervals.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday!r}")
            if ordered := _normalise_day(day_intervals, where=f"weekday {weekday}"):
                normalised[weekday] = ordered
        # A private copy of tuples: a caller mutating its own dict later must not change a
        # calendar that is already in use (and hashed). Closed weekdays are left out, so that
        # {5: []} and {} compare equal.
        object.__setattr__(self, "intervals", normalised)

    def __hash__(self) -> int:
        return hash(
            tuple(
                sorted((day, tuple(day_intervals)) for day, day_intervals in self.intervals.items())
            )
        )

    def on(self, weekday: int) -> Sequence[Interval]:
        """The intervals of ``weekday`` (0=Monday), empty when closed."""
        return self.intervals.get(weekday, ())

    @property
    def is_ever_open(self) -> bool:
        """Whether any weekday has opening hours."""
        return any(self.intervals.values())


OFFICE_HOURS = WorkingHours(
    {weekday: [(datetime.time(8), datetime.time(16))] for weekday in range(5)}
)
"""Monday to Friday, 08:00-16:00: the usual hours of a Polish office."""

ALWAYS_OPEN = WorkingHours({weekday: [(MIDNIGHT, MIDNIGHT)] for weekday in range(7)})
"""Every day, all day."""


@functools.cache
def _country_holidays(country: str, year: int) -> Mapping[datetime.date, str]:
    """Public holidays of ``country`` in ``year``, built once per process: the package computes
    movable feasts on every construction, and ``add`` asks about every day it walks."""
    language = _HOLIDAY_LANGUAGE if _HOLIDAY_LANGUAGE in _localized(country) else None
    return dict(holidays.country_holidays(country, years=year, language=language))


@functools.cache
def _localized(country: str) -> tuple[str, ...]:
    return tuple(holidays.list_localized_countries().get(country, ()))


@dataclass(frozen=True)
class BusinessCalendar:
    """When a company counts SLA time: weekly opening hours in a time zone, minus the public
    holidays of ``country`` and ``extra_closed_days``, plus ``extra_open_days``.

    ``extra_open_days`` gives the hours of a date that is worked although it is a holiday or a
    closed weekday (a Saturday worked in exchange for a bridge day); it replaces the weekly hours
    of that date. A date may not be both an extra open and an extra closed day.
    """

    time_zone: str = "Europe/Warsaw"
    hours: WorkingHours = OFFICE_HOURS
    country: str | None = "PL"
    extra_closed_days: frozenset[datetime.date] = frozenset()
    extra_open_days: Mapping[datetime.date, Sequence[tuple[datetime.time, datetime.time]]] = field(
        default_factory=dict
    )
    # Each day's open intervals in UTC, worked out once: ``between`` for a clock running since
    # weeks walks every day since, and an inbox page asks it for fifty tickets' clocks.
    _days: dict[datetime.date, tuple[UtcInterval, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # Per year, the business time of its days before each day (index: day of the year, from 0;
    # the last entry is the whole year): ``between`` adds whole days up from two entries a year.
    _year_sums: dict[int, list[datetime.timedelta]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)  # raises ZoneInfoNotFoundError (a KeyError) for unknown zones
        if self.country is not None and self.country not in holidays.list_supported_countries():
            raise ValueError(f"the holidays package does not know country {self.country!r}")
        closed = frozenset(self.extra_closed_days)
        open_days = {
            day: _normalise_day(day_intervals, where=f"extra open day {day}")
            for day, day_intervals in self.extra_open_days.items()
        }
        if conflicting := sorted(closed & open_days.keys()):
            raise ValueError(f"days both extra open and extra closed: {conflicting}")
        object.__setattr__(self, "extra_closed_days", closed)
        object.__setattr__(self, "extra_open_days", open_days)

    def __hash__(self) -> int:
        return hash(
            (
                self.time_zone,
                self.hours,
                self.country,
                self.extra_closed_days,
                tuple(
                    sorted(
                        (day, tuple(day_intervals))
                        for day, day_intervals in self.extra_open_days.items()
                    )
                ),
            )
        )

    # Public API

    def is_open(self, moment: datetime.datetime) -> bool:
        """Whether business time is counted at ``moment``."""
        instant = _to_utc(moment, "moment")
        day = self._local_date(instant)
        # The next day too: where a clock goes back across midnight, an instant can read the
        # evening of its local date although the next day's midnight has already passed.
        return any(
            opening <= instant < closing
            for current in (day, day + ONE_DAY)
            for opening, closing in self._utc_intervals(current)
        )

    def add(self, start: datetime.datetime, duration: datetime.timedelta) -> datetime.datetime:
        """The moment (UTC) when ``duration`` of business time has passed after ``start``.

        Counting starts at ``start`` if open, else at the next opening. A positive duration
        that runs out exactly at a closing returns the closing (due 16:00 on the day, not
        08:00 the next); a zero duration returns ``next_opening(start)``.
        """
        instant = _to_utc(start, "start")
        if duration < datetime.timedelta(0):
            raise ValueError("duration must not be negative")
        if not duration:
            return self.next_opening(instant)
        remaining = duration
        for opening, closing in self._intervals_from(instant):
            counted_from = max(opening, instant)
            available = closing - counted_from
            if remaining <= available:
                return counted_from + remaining
            remaining -= available
        raise ValueError(f"the calendar never opens again after {instant.isoformat()}")

    def between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
        """Business time elapsed from ``start`` to ``end`` (zero if ``end`` is not after it).

        The business time before ``end`` less that before ``start``, each the whole days before
        the moment's local date and what its day counted until it: a clock running for months
        costs two running sums a year instead of a walk over every day since it started.
        """
        first = _to_utc(start, "start")
        last = _to_utc(end, "end")
        if last <= first:
            return datetime.timedelta(0)
        first_day = self._local_date(first)
        last_day = self._local_date(last)
        return (
            self._whole_days(first_day, last_day)
            + self._counted_on(last_day, last)
            - self._counted_on(first_day, first)
        )

    def next_opening(self, moment: datetime.datetime) -> datetime.datetime:
        """The first open instant (UTC) at or after ``moment``: ``moment`` itself when open."""
        instant = _to_utc(moment, "moment")
        for opening, _closing in self._intervals_from(instant):
            return max(opening, instant)
        raise ValueError(f"the calendar never opens again after {instant.isoformat()}")

    def holidays_in(self, year: int) -> dict[datetime.date, str]:
        """Public holidays of ``country`` in ``year`` with the package's names (Polish where
        translated); empty without a country. ``extra_closed_days`` are not included."""
        if self.country is None:
            return {}
        return dict(_country_holidays(self.country, year))

    # Walking the calendar

    def _local_date(self, instant: datetime.datetime) -> datetime.date:
        return instant.astimezone(ZoneInfo(self.time_zone)).date()

    def _intervals_from(self, instant: datetime.datetime) -> Iterator[UtcInterval]:
        """Open intervals (UTC, in order) that end after ``instant``, walking day by day.

        Stops only when the calendar can never open again (no weekly hours and no extra open
        day left), so a calendar that opens at all never makes ``add`` loop forever.
        """
        # Earlier days cannot matter: their intervals close by the first instant the clock reads
        # midnight of the instant's local date, which is not after the instant.
        day = self._local_date(instant)
        last_possible: datetime.date | None = None
        if not self.hours.is_ever_open:
            if not self.extra_open_days:
                return
            last_possible = max(self.extra_open_days)
        while last_possible is None or day <= last_possible:
            for opening, closing in self._utc_intervals(day):
                if closing > instant:
                    yield opening, closing
            day += ONE_DAY

    def _counted_on(self, day: datetime.date, instant: datetime.datetime) -> datetime.timedelta:
        """Business time before ``instant`` (of local date ``day``) in the intervals of its day
        and of the next one, which opens before it where a clock goes back across midnight;
        every earlier day's intervals close by the instant (``_intervals_from``)."""
        return sum(
            (
                min(closing, instant) - opening
                for current in (day, day + ONE_DAY)
                for opening, closing in self._utc_intervals(current)
                if opening < instant
            ),
            datetime.timedelta(0),
        )

    def _whole_days(self, first: datetime.date, end: datetime.date) -> datetime.timedelta:
        """Business time of the days from ``first`` up to ``end`` (not included)."""
        total = datetime.timedelta(0)
        day = first
        while day < end:
            stop = end if end.year == day.year else datetime.date(day.year + 1, 1, 1)
            sums = self._running_sums(day.year)
            new_year = datetime.date(day.year, 1, 1)
            total += sums[(stop - new_year).days] - sums[(day - new_year).days]
            day = stop
        return total

    def _running_sums(self, year: int) -> list[datetime.timedelta]:
        known = self._year_sums.get(year)
        if known is None:
            if len(self._year_sums) >= MAX_REMEMBERED_YEARS:
                self._year_sums.clear()
            day = datetime.date(year, 1, 1)
            known = [datetime.timedelta(0)]
            while day.year == year:
                opened = (closing - opening for opening, closing in self._utc_intervals(day))
                known.append(known[-1] + sum(opened, datetime.timedelta(0)))
                day += ONE_DAY
            self._year_sums[year] = known
        return known

    def _hours_on(self, day: datetime.date) -> Sequence[Interval]:
        if day in self.extra_open_days:
            return self.extra_open_days[day]
        if day in self.extra_closed_days or self._is_public_holiday(day):
            return ()
        return self.hours.on(day.weekday())

    def _is_public_holiday(self, day: datetime.date) -> bool:
        return self.country is not None and day in _country_holidays(self.country, day.year)

    def _utc_intervals(self, day: datetime.date) -> tuple[UtcInterval, ...]:
        known = self._days.get(day)
        if known is None:
            if len(self._days) >= MAX_REMEMBERED_DAYS:
                self._days.clear()
            known = self._days[day] = tuple(self._utc_intervals_worked_out(day))
        return known

    def _utc_intervals_worked_out(self, day: datetime.date) -> list[UtcInterval]:
        zone = ZoneInfo(self.time_zone)
        result = []
        for start, end in self._hours_on(day):
            opening = _boundary(day, start, zone)
            if end == MIDNIGHT:
                closing = _boundary(day + ONE_DAY, MIDNIGHT, zone)
            else:
                closing = _boundary(day, end, zone)
            # Empty when the whole interval lies in the hour skipped in spring.
            if closing > opening:
                result.append((opening, closing))
        return result


def _to_utc(moment: datetime.datetime, name: str) -> datetime.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(_UTC)


def _boundary(day: datetime.date, wall_time: datetime.time, zone: ZoneInfo) -> datetime.datetime:
    """The first instant (UTC) at which the clock in ``zone`` reads ``wall_time`` on ``day`` or
    later: the first occurrence of a repeated time, the end of the gap for a skipped one."""
    wall = datetime.datetime.combine(day, wall_time)
    # fold=0 is the first occurrence of an ambiguous wall time (PEP 495).
    instant = wall.replace(tzinfo=zone).astimezone(_UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    return _end_of_gap(wall, zone)


def _end_of_gap(wall: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    """The transition instant that skips over the non-existent ``wall`` time.

    zoneinfo exposes no transition list, so bisect between the two readings PEP 495 gives a
    non-existent time (one with the offset before, one with the offset after the jump); whole
    seconds suffice because tz database transitions fall on whole seconds. Runs only on
    spring-forward days, about 15 steps.
    """
    readings = [wall.replace(tzinfo=zone, fold=fold).astimezone(_UTC) for fold in (0, 1)]
    low = int(min(readings).timestamp()) - 1  # the clock reads earlier than ``wall`` here
    high = int(max(readings).timestamp()) + 1  # and later here
    while high - low > 1:
        middle = (low + high) // 2
        reading = datetime.datetime.fromtimestamp(middle, zone).replace(tzinfo=None)
        if reading >= wall:
            high = middle
        else:
            low = middle
    return datetime.datetime.fromtimestamp(high, _UTC)


DEFAULT_CALENDAR = BusinessCalendar()
"""Monday to Friday 08:00-16:00 in Europe/Warsaw, closed on Polish public holidays."""


def calendar_24_7(time_zone: str = "Europe/Warsaw") -> BusinessCalendar:
    """A calendar that is always open and has no holidays: business time is elapsed time."""
    return BusinessCalendar(time_zone=time_zone, hours=ALWAYS_OPEN, country=None)
