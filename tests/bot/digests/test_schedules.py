"""Digest schedules: wall-clock runs in the subscriber's zone, right across DST and year ends."""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.digests.schedules import WEEKDAYS, Schedule, check_time_zone, zone_info


def _loadable(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# Machines without a tz database (no system zoneinfo, no tzdata package) can still run UTC.
needs_tzdb = pytest.mark.skipif(
    not _loadable("America/New_York"), reason="no IANA time zone database on this machine"
)

# DST zones of both hemispheres, half-hour and 45-minute offsets, a 30-minute DST shift
# (Lord_Howe), changes at midnight (Santiago, Havana), a 2-hour shift (Troll), negative DST
# (Dublin), Ramadan pauses in DST (Casablanca) and the extremes of the offset range.
ZONES = [
    zone
    for zone in (
        "UTC",
        "America/New_York",
        "America/Santiago",
        "America/Havana",
        "America/St_Johns",
        "Europe/London",
        "Europe/Paris",
        "Europe/Dublin",
        "Africa/Casablanca",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Australia/Sydney",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "Antarctica/Troll",
    )
    if zone == "UTC" or _loadable(zone)
]

PROPERTIES = settings(
    max_examples=600,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    cadence = draw(st.sampled_from(["weekly", "daily"]))
    weekday = draw(st.integers(0, 6)) if cadence == "weekly" else None
    # Times near the usual change hours (00:00-03:59) are where gaps and repeats happen.
    hour = draw(st.one_of(st.integers(0, 3), st.integers(0, 23)))
    minute = draw(st.sampled_from([0, 15, 30, 45, 59]) | st.integers(0, 59))
    return Schedule(
        cadence=cadence,
        weekday=weekday,
        at=time(hour, minute),
        time_zone=draw(st.sampled_from(ZONES)),
    )


instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
)


@cache
def _transitions(name: str) -> tuple[datetime, ...]:
    """Every instant in 2000-2040 at which the zone's UTC offset changes."""
    zone = ZoneInfo(name)
    found = []
    day = datetime(2000, 1, 1, tzinfo=UTC)
    while day.year <= 2040:
        after = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            found.append(_first_instant_with_offset(zone, day, after))
        day = after
    return tuple(found)


def _first_instant_with_offset(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    offset = after.astimezone(zone).utcoffset()
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            after = middle
        else:
            before = middle
    return after.replace(microsecond=0)


DST_ZONES = [zone for zone in ZONES if zone != "UTC" and _transitions(zone)]


@st.composite
def near_a_change(draw: st.DrawFn) -> tuple[Schedule, datetime]:
    """A schedule whose run falls within a few hours of a change of offset, and a `now` within
    a few days of it: random instants rarely land there, and that is where the bugs live."""
    zone_name = draw(st.sampled_from(DST_ZONES))
    change = draw(st.sampled_from(_transitions(zone_name)))
    # Naive wall-clock arithmetic from just before the change, so `at` can fall in a gap.
    just_before = (change - timedelta(seconds=1)).astimezone(ZoneInfo(zone_name))
    minutes = draw(st.integers(0, 120) | st.integers(-180, 180))
    local = just_before.replace(tzinfo=None) + timedelta(minutes=minutes)
    weekly = draw(st.booleans())
    schedule = Schedule(
        cadence="weekly" if weekly else "daily",
        weekday=local.weekday() if weekly else None,
        at=time(local.hour, local.minute),
        time_zone=zone_name,
    )
    offset = draw(st.integers(-180, 180) | st.integers(-4 * 24 * 60, 4 * 24 * 60))
    now = change + timedelta(minutes=offset)
    return schedule, now


def _wall_time_exists(schedule: Schedule, day: date) -> bool:
    wall = datetime.combine(day, schedule.at)
    return (
        wall.replace(tzinfo=schedule.zone)
        .astimezone(UTC)
        .astimezone(schedule.zone)
        .replace(tzinfo=None)
        == wall
    )


def _check_runs_around(schedule: Schedule, now: datetime) -> None:
    latest, upcoming = schedule.latest_slot(now), schedule.next_slot(now)
    # now lies between the latest and the next run.
    assert latest <= now < upcoming
    assert latest.tzinfo is UTC
    assert upcoming.tzinfo is UTC
    # No run lies between them: none in (latest, now], none in (latest, upcoming).
    assert schedule.next_slot(latest) == upcoming
    assert schedule.latest_slot(upcoming - timedelta(microseconds=1)) == latest
    assert schedule.latest_slot(upcoming) == upcoming
    # Consecutive runs are consecutive periods: increasing keys, no period skipped.
    assert schedule.period_key(latest) < schedule.period_key(upcoming)
    assert schedule.local_day(upcoming) - schedule.local_day(latest) == schedule.period
    for slot in (latest, upcoming):
        _check_run(schedule, slot)


def _check_run(schedule: Schedule, slot: datetime) -> None:
    local = slot.astimezone(schedule.zone)
    day = local.date()
    if schedule.weekday is not None:
        assert day.weekday() == schedule.weekday
    assert schedule.slot_on(day) == slot
    if _wall_time_exists(schedule, day):
        assert local.time() == schedule.at
        assert local.fold == 0  # zoneinfo marks the second of two equal wall times fold=1
    else:
        # In a gap: the run is the moment the clock jumps past `at`.
        assert local.time() > schedule.at
        just_before = (slot - timedelta(seconds=1)).astimezone(schedule.zone)
        assert just_before.replace(tzinfo=None) < datetime.combine(day, schedule.at)
    key = schedule.period_key(slot)
    if schedule.cadence == "daily":
        assert key == f"daily:{day.isoformat()}"
    else:
        year, week, _ = day.isocalendar()
        assert key == f"weekly:{year}-W{week:02d}"


# ---------------------------------------------------------------------------------------------
# Properties over random instants, zones and schedules, and around every change of offset.


@PROPERTIES
@given(schedules(), instants)
def test_runs_around_random_instants(schedule: Schedule, now: datetime) -> None:
    _check_runs_around(schedule, now)


@needs_tzdb
@PROPERTIES
@given(near_a_change())
def test_runs_around_changes_of_offset(case: tuple[Schedule, datetime]) -> None:
    _check_runs_around(*case)


# ---------------------------------------------------------------------------------------------
# DST changes of 2026, as a reader of the digest sees them.


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@needs_tzdb
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 2), _utc(2026, 3, 2, 14)),  # EST, UTC-5
        (date(2026, 3, 9), _utc(2026, 3, 9, 13)),  # EDT from 8 March, UTC-4
        (date(2026, 10, 26), _utc(2026, 10, 26, 13)),  # still EDT
        (date(2026, 11, 2), _utc(2026, 11, 2, 14)),  # EST again from 1 November
    ],
)
def test_new_york_monday_nine_stays_nine_local(day: date, expected: datetime) -> None:
    schedule = Schedule(weekday=0, at=time(9), time_zone="America/New_York")
    assert schedule.slot_on(day) == expected
    assert schedule.slot_on(day).astimezone(ZoneInfo("America/New_York")).hour == 9


@needs_tzdb
def test_new_york_weekly_runs_across_both_changes() -> None:
    schedule = Schedule(weekday=0, time_zone="America/New_York")
    runs = [schedule.next_slot(_utc(2026, 2, 25))]
    while len(runs) < 40:
        runs.append(schedule.next_slot(runs[-1]))
    assert _utc(2026, 3, 2, 14) in runs
    assert _utc(2026, 3, 9, 13) in runs
    assert _utc(2026, 10, 26, 13) in runs
    assert _utc(2026, 11, 2, 14) in runs
    keys = [schedule.period_key(run) for run in runs]
    assert keys == sorted(set(keys))
    assert {run.astimezone(schedule.zone).time() for run in runs} == {time(9)}


@needs_tzdb
def test_spring_forward_gap_runs_when_the_gap_ends() -> None:
    # New York, 8 March 2026: 02:00 EST becomes 03:00 EDT; 02:30 never happens.
    schedule = Schedule(cadence="daily", at=time(2, 30), time_zone="America/New_York")
    slot = schedule.slot_on(date(2026, 3, 8))
    assert slot == _utc(2026, 3, 8, 7)  # 03:00 EDT
    assert slot.astimezone(schedule.zone).time() == time(3, 0)
    assert schedule.next_slot(_utc(2026, 3, 8, 6, 59)) == slot
    assert schedule.latest_slot(_utc(2026, 3, 8, 7, 29)) == slot
    assert schedule.next_slot(slot) == _utc(2026, 3, 9, 6, 30)  # 02:30 EDT the next day
    assert schedule.period_key(slot) == "daily:2026-03-08"


@needs_tzdb
def test_fall_back_repeat_runs_once_at_the_first_occurrence() -> None:
    # New York, 1 November 2026: 02:00 EDT becomes 01:00 EST; 01:30 happens twice.
    schedule = Schedule(cadence="daily", at=time(1, 30), time_zone="America/New_York")
    first = _utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    second = _utc(2026, 11, 1, 6, 30)  # 01:30 EST, no run
    assert schedule.slot_on(date(2026, 11, 1)) == first
    assert schedule.latest_slot(second + timedelta(minutes=15)) == first
    assert schedule.next_slot(first) == _utc(2026, 11, 2, 6, 30)
    assert schedule.next_slot(second) == _utc(2026, 11, 2, 6, 30)


@needs_tzdb
@pytest.mark.parametrize(
    ("at", "day", "expected"),
    [
        # 29 March 2026: 01:00 GMT becomes 02:00 BST.
        (time(1, 30), date(2026, 3, 29), _utc(2026, 3, 29, 1)),
        (time(9, 0), date(2026, 3, 28), _utc(2026, 3, 28, 9)),
        (time(9, 0), date(2026, 3, 29), _utc(2026, 3, 29, 8)),
        # 25 October 2026: 02:00 BST becomes 01:00 GMT; the first 01:30 is BST.
        (time(1, 30), date(2026, 10, 25), _utc(2026, 10, 25, 0, 30)),
        (time(9, 0), date(2026, 10, 25), _utc(2026, 10, 25, 9)),
    ],
)
def test_london(at: time, day: date, expected: datetime) -> None:
    schedule = Schedule(cadence="daily", at=at, time_zone="Europe/London")
    assert schedule.slot_on(day) == expected


@needs_tzdb
@pytest.mark.parametrize(
    ("schedule", "day", "expected"),
    [
        # Sydney: DST ends 5 April 2026 (03:00 AEDT -> 02:00 AEST), starts 4 October 2026
        # (02:00 AEST -> 03:00 AEDT). A Monday 09:00 run is on Sunday in UTC.
        (Schedule(weekday=0, time_zone="Australia/Sydney"), date(2026, 3, 30), (3, 29, 22, 0)),
        (Schedule(weekday=0, time_zone="Australia/Sydney"), date(2026, 4, 6), (4, 5, 23, 0)),
        (Schedule(weekday=0, time_zone="Australia/Sydney"), date(2026, 10, 5), (10, 4, 22, 0)),
        (
            Schedule(cadence="daily", at=time(2, 30), time_zone="Australia/Sydney"),
            date(2026, 4, 5),
            (4, 4, 15, 30),  # the first 02:30, still AEDT
        ),
        (
            Schedule(cadence="daily", at=time(2, 30), time_zone="Australia/Sydney"),
            date(2026, 10, 4),
            (10, 3, 16, 0),  # 03:00 AEDT, when the gap ends
        ),
        # Lord Howe moves its clocks by 30 minutes: 02:00 -> 02:30 on 4 October 2026.
        (
            Schedule(cadence="daily", at=time(2, 15), time_zone="Australia/Lord_Howe"),
            date(2026, 10, 4),
            (10, 3, 15, 30),
        ),
        (
            Schedule(cadence="daily", at=time(1, 45), time_zone="Australia/Lord_Howe"),
            date(2026, 4, 5),
            (4, 4, 14, 45),  # 02:00 -> 01:30: the first 01:45 is at +11:00
        ),
        # Chatham, +12:45 / +13:45: 02:45 -> 03:45 on 27 September 2026.
        (
            Schedule(cadence="daily", at=time(3, 0), time_zone="Pacific/Chatham"),
            date(2026, 9, 27),
            (9, 26, 14, 0),
        ),
        (Schedule(weekday=0, time_zone="Asia/Kolkata"), date(2026, 6, 1), (6, 1, 3, 30)),
    ],
    ids=[
        "sydney-aedt",
        "sydney-aest",
        "sydney-aedt-again",
        "sydney-repeat",
        "sydney-gap",
        "lord-howe-gap",
        "lord-howe-repeat",
        "chatham-gap",
        "kolkata",
    ],
)
def test_southern_and_odd_offsets(
    schedule: Schedule, day: date, expected: tuple[int, int, int, int]
) -> None:
    assert schedule.slot_on(day) == _utc(2026, *expected)


@needs_tzdb
def test_period_key_follows_the_local_date_not_the_utc_date() -> None:
    schedule = Schedule(weekday=0, time_zone="Australia/Sydney")
    slot = schedule.slot_on(date(2026, 3, 30))  # Sunday 29 March in UTC
    assert slot.date() == date(2026, 3, 29)
    assert schedule.local_day(slot) == date(2026, 3, 30)
    assert schedule.period_key(slot) == "weekly:2026-W14"
    assert Schedule(time_zone="UTC").period_key(slot) == "weekly:2026-W13"


@needs_tzdb
def test_clocks_falling_back_across_midnight() -> None:
    # St. John's until 2011: at 00:01 NDT on Sunday 29 October 2006 the clocks went back to
    # 23:01 NST on Saturday, so the Sunday 00:00 run has happened while the local date is
    # Saturday again.
    schedule = Schedule(cadence="daily", at=time(0, 0), time_zone="America/St_Johns")
    sunday = _utc(2006, 10, 29, 2, 30)  # 00:00 NDT
    now = _utc(2006, 10, 29, 2, 45)  # 23:15 NST on Saturday
    assert now.astimezone(schedule.zone).date() == date(2006, 10, 28)
    assert schedule.latest_slot(now) == sunday
    assert schedule.next_slot(now) == _utc(2006, 10, 30, 3, 30)
    assert schedule.next_slot(_utc(2006, 10, 29, 2, 29)) == sunday


@needs_tzdb
def test_a_skipped_local_day_has_no_run() -> None:
    # Samoa skipped Friday 30 December 2011, crossing the date line.
    daily = Schedule(cadence="daily", time_zone="Pacific/Apia")
    with pytest.raises(ValueError, match="no run on 2011-12-30"):
        daily.slot_on(date(2011, 12, 30))
    thursday = daily.slot_on(date(2011, 12, 29))
    saturday = daily.next_slot(thursday)
    assert daily.local_day(saturday) == date(2011, 12, 31)
    assert daily.latest_slot(saturday - timedelta(seconds=1)) == thursday
    weekly = Schedule(weekday=4, time_zone="Pacific/Apia")
    assert weekly.local_day(weekly.next_slot(_utc(2011, 12, 25))) == date(2012, 1, 6)


# ---------------------------------------------------------------------------------------------
# ISO weeks and year ends.


def test_iso_week_53_at_the_end_of_2026() -> None:
    monday = Schedule(weekday=0)
    runs = [monday.next_slot(_utc(2026, 12, 20))]
    for _ in range(2):
        runs.append(monday.next_slot(runs[-1]))
    assert runs == [_utc(2026, 12, 21, 9), _utc(2026, 12, 28, 9), _utc(2027, 1, 4, 9)]
    assert [monday.period_key(run) for run in runs] == [
        "weekly:2026-W52",
        "weekly:2026-W53",
        "weekly:2027-W01",
    ]


def test_a_sunday_in_january_can_belong_to_the_previous_iso_year() -> None:
    sunday = Schedule(weekday=6, at=time(18, 30))
    slot = sunday.next_slot(_utc(2027, 1, 1))
    assert slot == _utc(2027, 1, 3, 18, 30)
    assert sunday.period_key(slot) == "weekly:2026-W53"
    assert sunday.period_key(sunday.next_slot(slot)) == "weekly:2027-W01"


def test_daily_across_new_year() -> None:
    daily = Schedule(cadence="daily", at=time(23, 59))
    slot = daily.latest_slot(_utc(2027, 1, 1, 0, 30))
    assert slot == _utc(2026, 12, 31, 23, 59)
    assert daily.period_key(slot) == "daily:2026-12-31"
    assert daily.period_key(daily.next_slot(slot)) == "daily:2027-01-01"


# ---------------------------------------------------------------------------------------------
# Boundaries and the model itself.


def test_a_run_exactly_now_is_the_latest_not_the_next() -> None:
    schedule = Schedule()
    slot = _utc(2026, 11, 30, 9)
    assert schedule.latest_slot(slot) == slot
    assert schedule.next_slot(slot) == slot + timedelta(days=7)
    assert schedule.next_slot(slot - timedelta(microseconds=1)) == slot


def test_other_offsets_of_now_are_the_same_instant() -> None:
    schedule = Schedule()
    now = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("UTC") if _loadable("UTC") else UTC)
    assert schedule.latest_slot(now) == _utc(2026, 11, 30, 9)


@pytest.mark.parametrize("method", ["latest_slot", "next_slot", "period_key", "local_day"])
def test_naive_instants_are_refused(method: str) -> None:
    with pytest.raises(ValueError, match="naive"):
        getattr(Schedule(), method)(datetime(2026, 11, 30, 9))


def test_slot_on_the_wrong_weekday_is_refused() -> None:
    with pytest.raises(ValueError, match="is a Tuesday; this schedule runs on Mondays"):
        Schedule().slot_on(date(2026, 12, 1))


def test_defaults_and_period() -> None:
    schedule = Schedule()
    assert (schedule.cadence, schedule.weekday, schedule.at, schedule.time_zone) == (
        "weekly",
        0,
        time(9),
        "UTC",
    )
    assert schedule.period == timedelta(days=7)
    daily = Schedule(cadence="daily")
    assert daily.weekday is None
    assert daily.period == timedelta(days=1)


@needs_tzdb
def test_describe() -> None:
    assert Schedule(time_zone="Europe/Paris").describe() == "every Monday at 09:00 (Europe/Paris)"
    assert Schedule(cadence="daily", at=time(18, 30)).describe() == "every day at 18:30 (UTC)"
    assert Schedule(weekday=6, at=time(7, 5)).describe() == "every Sunday at 07:05 (UTC)"


def test_weekdays_name_monday_first() -> None:
    assert WEEKDAYS[0] == "mon"
    assert WEEKDAYS[6] == "sun"
    assert date(2026, 11, 30).weekday() == WEEKDAYS.index("mon")


@pytest.mark.parametrize(
    "fields",
    [
        {"cadence": "daily", "weekday": 2},
        {"cadence": "weekly", "weekday": None},
        {"weekday": 7},
        {"weekday": -1},
        {"at": time(9, 0, 30)},
        {"at": time(9, 0, 0, 1)},
        {"at": time(9, tzinfo=UTC)},
        {"cadence": "monthly"},
        {"time_zone": ""},
        {"time_zone": "localtime"},
        {"time_zone": "Factory"},
        {"time_zone": "posix/Europe/Paris"},
        {"time_zone": "right/UTC"},
        {"time_zone": "Europe"},
        {"time_zone": "Europe/Atlantis"},
        {"time_zone": "europe/paris"},
        {"time_zone": "/etc/localtime"},
        {"time_zone": "../zoneinfo/UTC"},
        {"time_zone": "x" * 5000},
        {"colour": "blue"},
    ],
)
def test_invalid_schedules_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Schedule(**fields)


def test_schedules_are_frozen_and_round_trip_through_json() -> None:
    schedule = Schedule(cadence="daily", at=time(18, 30))
    with pytest.raises(ValidationError):
        schedule.at = time(7)  # type: ignore[misc]
    assert Schedule.model_validate_json(schedule.model_dump_json()) == schedule
    assert Schedule.model_validate_json(Schedule().model_dump_json()) == Schedule()


def test_utc_needs_no_tz_database() -> None:
    assert zone_info("UTC") is UTC
    assert check_time_zone("UTC") == "UTC"


@needs_tzdb
def test_check_time_zone() -> None:
    assert check_time_zone("Europe/Paris") == "Europe/Paris"
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Pari'"):
        check_time_zone("Europe/Pari")
