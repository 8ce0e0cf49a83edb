"""When a channel's digest runs: pure time arithmetic, no clock and no database.

A schedule is a local wall-clock time (and, for a weekly digest, a weekday) in the subscriber's
IANA time zone, so "Monday 09:00 in New York" stays 09:00 for the people reading it when the
offset to UTC changes. Runs are found by walking local dates and converting each day's wall time
to UTC through zoneinfo; adding 7 x 24 hours to a UTC instant would drift by an hour at every
DST change.

The day's run is the first instant of that local day at which the clock reads `at` or later:

- A wall time that does not exist that day (the clocks spring forward over it, e.g. 02:30 on
  8 March 2026 in New York) runs when the gap ends, at 03:00 local time: as soon as the clock
  has passed `at`, the same moment a person waiting for 02:30 would act. (PEP 495's fold=0
  reading would give 03:30, half an hour later than needed.)
- A wall time that happens twice (the clocks fall back over it, e.g. 01:30 on 1 November 2026
  in New York) runs once, at the first occurrence.
- A local day that the zone skips entirely, or whose last part containing `at` falls in a gap
  that ends on the next day (Pacific/Apia skipped 30 December 2011), has no run: running on the
  next day instead would give that day two runs. A weekly digest skips that one week.

A run belongs to the period named by its local date (`period_key`): the ISO week for weekly
digests (2026 has 53 ISO weeks; 3 January 2027 is in 2026-W53), the date for daily ones. Every
run lies on its own local date, so consecutive runs have consecutive, increasing keys.
"""

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The years a digest may be dated in (`clock --now`, `digest preview --since/--until`): far
# outside them, date arithmetic overflows, and no tariff is dated there anyway.
FIRST_YEAR, LAST_YEAR = 1900, 2200

Cadence = Literal["weekly", "daily"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Names zoneinfo may load that do not name a place: the machine's own zone (differs between the
# web and clock hosts), tzdata's placeholder, and the posix/ and right/ copies of every zone
# (right/ counts leap seconds, which datetime does not).
_NOT_A_PLACE = frozenset({"", "localtime", "posixrules", "Factory"})
_NOT_A_PLACE_PREFIXES = ("posix/", "right/")
# Runs are at most a period apart plus a skipped day; the bound only stops a runaway loop.
_SEARCH_LIMIT = 8


class Schedule(BaseModel):
    """A digest's timetable: see the module docstring for gaps, repeats and periods."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cadence: Cadence = "weekly"
    weekday: int | None = Field(default=0, ge=0, le=6)  # 0 = Monday .. 6 = Sunday
    at: time = time(9, 0)
    time_zone: str = "UTC"

    @model_validator(mode="before")
    @classmethod
    def _daily_has_no_weekday(cls, data: Any) -> Any:
        # The default weekday (Monday) belongs to weekly schedules; Schedule(cadence="daily")
        # means every day, not an error about a weekday nobody gave.
        if isinstance(data, dict) and data.get("cadence") == "daily" and "weekday" not in data:
            return {**data, "weekday": None}
        return data

    @field_validator("at")
    @classmethod
    def _minutes_only(cls, value: time) -> time:
        return check_wall_time(value)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_time_zone(value)

    @model_validator(mode="after")
    def _weekday_matches_cadence(self) -> "Schedule":
        if self.cadence == "daily" and self.weekday is not None:
            raise ValueError("a daily schedule runs every day and takes no weekday")
        if self.cadence == "weekly" and self.weekday is None:
            raise ValueError("a weekly schedule needs a weekday (0 = Monday .. 6 = Sunday)")
        return self

    @property
    def period(self) -> timedelta:
        return timedelta(days=7 if self.cadence == "weekly" else 1)

    @property
    def zone(self) -> tzinfo:
        return zone_info(self.time_zone)

    def slot_on(self, local_day: date) -> datetime:
        """The aware UTC instant of the run on `local_day` (a date in the schedule's zone).

        ValueError if a weekly schedule does not run on that weekday, or if the zone skips the
        part of that day containing `at` (see the module docstring).
        """
        if self.cadence == "weekly" and local_day.weekday() != self.weekday:
            raise ValueError(
                f"{local_day.isoformat()} is a {WEEKDAY_NAMES[local_day.weekday()]}; "
                f"this schedule runs on {WEEKDAY_NAMES[self.weekday or 0]}s"
            )
        slot = self._slot_or_none(local_day)
        if slot is None:
            raise ValueError(
                f"no run on {local_day.isoformat()}: {self.time_zone} skips "
                f"{self.at.strftime('%H:%M')} and the rest of that day"
            )
        return slot

    def latest_slot(self, now: datetime) -> datetime:
        """The most recent run at or before `now` (aware), as an aware UTC instant."""
        now = _aware_utc(now)
        # Clocks falling back across midnight can put `now` on the local date before a run
        # that has already happened, hence the day of margin.
        day = self._run_day_on_or_before(self.local_day(now) + timedelta(days=1))
        for _ in range(_SEARCH_LIMIT):
            slot = self._slot_or_none(day)
            if slot is not None and slot <= now:
                return slot
            day -= self.period
        raise AssertionError(f"no run found before {now.isoformat()} for {self!r}")

    def next_slot(self, now: datetime) -> datetime:
        """The first run strictly after `now` (aware), as an aware UTC instant."""
        now = _aware_utc(now)
        # The same margin as latest_slot's, mirrored; runs at or before `now` are passed over.
        day = self._run_day_on_or_after(self.local_day(now) - timedelta(days=1))
        for _ in range(_SEARCH_LIMIT):
            slot = self._slot_or_none(day)
            if slot is not None and slot > now:
                return slot
            day += self.period
        raise AssertionError(f"no run found after {now.isoformat()} for {self!r}")

    def local_day(self, slot: datetime) -> date:
        """The date in the schedule's zone at the instant `slot` (aware)."""
        return _aware_utc(slot).astimezone(self.zone).date()

    def period_key(self, slot: datetime) -> str:
        """The period a run belongs to: 'weekly:2026-W49' (ISO week) or 'daily:2026-11-30'.

        Keys of later periods sort after earlier ones, as plain strings.
        """
        day = self.local_day(slot)
        if self.cadence == "daily":
            return f"daily:{day.isoformat()}"
        year, week, _ = day.isocalendar()
        return f"weekly:{year:04d}-W{week:02d}"

    def describe(self) -> str:
        """'every Monday at 09:00 (Europe/Paris)', 'every day at 18:30 (UTC)'."""
        when = "day" if self.weekday is None else WEEKDAY_NAMES[self.weekday]
        return f"every {when} at {self.at.strftime('%H:%M')} ({self.time_zone})"

    def _run_day_on_or_before(self, day: date) -> date:
        if self.weekday is None:
            return day
        return day - timedelta(days=(day.weekday() - self.weekday) % 7)

    def _run_day_on_or_after(self, day: date) -> date:
        if self.weekday is None:
            return day
        return day + timedelta(days=(self.weekday - day.weekday()) % 7)

    def _slot_or_none(self, local_day: date) -> datetime | None:
        zone = self.zone
        wall = datetime.combine(local_day, self.at)
        # fold=0 is the first occurrence of a repeated wall time, as the rules want.
        first = wall.replace(tzinfo=zone).astimezone(UTC)
        if first.astimezone(zone).replace(tzinfo=None) == wall:
            return first
        gap_end = _gap_end(wall, zone)
        return gap_end if gap_end.astimezone(zone).date() == local_day else None


def _gap_end(wall: datetime, zone: tzinfo) -> datetime:
    """The UTC instant at which the clocks jump over the non-existent naive `wall` time.

    With fold=1 the wall time is read with the offset after the jump, which lands before it;
    with fold=0, with the offset before, which lands at or after it. Between the two the local
    clock is below `wall` until the jump and above it from then on, so a binary search over
    whole seconds (tzdb changes offsets on whole seconds) finds the jump.
    """
    before = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    after = int(wall.replace(tzinfo=zone, fold=0).timestamp())
    while after - before > 1:
        middle = (before + after) // 2
        local = datetime.fromtimestamp(middle, zone).replace(tzinfo=None)
        if local >= wall:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


def _aware_utc(moment: datetime) -> datetime:
    # A naive datetime is local time on one machine and UTC on another; refuse to guess.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def check_wall_time(value: time) -> time:
    """A schedule's local time: naive, whole minutes. ValueError otherwise."""
    if value.tzinfo is not None:
        raise ValueError("the time of day is local wall-clock time and carries no time zone")
    if value.second or value.microsecond:
        raise ValueError("the time of day is given in whole minutes, e.g. 09:00")
    return value


def check_time_zone(name: str) -> str:
    """`name` if it is an IANA zone this machine can load ('UTC' always is), else ValueError."""
    zone_info(name)
    return name


@lru_cache(maxsize=512)
def zone_info(name: str) -> tzinfo:
    """The tzinfo of an IANA zone name. ValueError for anything that is not a place's zone.

    'UTC' works even where no tz database is installed (tzdata is an optional package on some
    systems), since its rules need none.
    """
    if name == "UTC":
        return UTC
    if name in _NOT_A_PLACE or name.startswith(_NOT_A_PLACE_PREFIXES):
        raise ValueError(f"{name!r} is not an IANA time zone name such as Europe/Paris")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        # OSError: a directory ('Europe') or a name too long for the file system.
        raise ValueError(
            f"unknown time zone {name!r}; expected a name such as Europe/Paris"
        ) from exc
