"""Dates and times of day as people say them: 'as of last month', 'a year ago', 'at 9am pacific',
'at 18:00 CET', 'at 3pm tokyo'. Each is resolved to what the grammar reads ('as of 2025-12-07',
'at 17:00 UTC'), and the answer states the resolution.

Relative and partial dates are read by dateparser and zones by zoneinfo; both are imported only
when such a phrase appears, so a plain question starts as fast as before."""

import re
from datetime import date, datetime, time

from pricing.phrasing.phrases import Context, phrase, refuse

RELATIVE = (
    r"yesterday|today|tomorrow|last\s+\w+|this\s+\w+|next\s+\w+|\w+\s+\w+\s+ago|an?\s+\w+\s+ago"
)
MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
# "march 2024", "5 march 2024", "march 5th, 2024", "2024-03".
PARTIAL = (
    rf"(?:\d{{1,2}}\s+)?(?:{MONTHS})(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?,?\s+\d{{4}}"
    r"|\d{4}-\d{1,2}(?!-)\b"
)
DATE_EXAMPLE = "price gpt-4 as of 2023-08-22"


def resolve_date(said: str, today: date) -> tuple[date, str]:
    """The day a phrase names, and how the answer states it. A month alone is its first day."""
    from dateparser.date import DateDataParser  # a second of import time; only when needed

    base = datetime.combine(today, time())
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
    data = DateDataParser(languages=["en"], settings=settings).get_date_data(said)
    if data.date_obj is None:
        raise refuse(f"I can't tell which date '{said}' is; write it as YYYY-MM-DD.", DATE_EXAMPLE)
    day = data.date_obj.date()
    relative = re.fullmatch(RELATIVE, said.strip(), re.I) is not None
    if not relative and data.period == "month":
        return day.replace(day=1), f"'{said}' is read as its first day, {day.replace(day=1)}."
    if not relative and data.period == "year":
        return day.replace(month=1, day=1), f"'{said}' is read as {day.replace(month=1, day=1)}."
    return day, f"'{said}' is {day.isoformat()}."


def _as_of(match: re.Match[str], context: Context) -> str:
    day, stated = resolve_date(match["when"], context.today)
    if match["when"].strip().lower() == "today":
        return "as of today"
    context.note(stated)
    return f"as of {day.isoformat()}"


DATES = (
    phrase(rf"\b(?:as\s+of|on|in)\s+(?P<when>{PARTIAL})\b", _as_of, when=("19", "20")),
    phrase(rf"\bas\s+of\s+(?P<when>{RELATIVE})\b", _as_of, when=("as of",)),
    phrase(
        r"\b(?P<when>yesterday|\w+\s+(?:days?|weeks?|months?|years?)\s+ago|an?\s+(?:day|week|month|year)\s+ago)\b",
        _as_of,
        when=("ago", "yesterday"),
    ),
)

# Zones people name, to IANA; an abbreviation with several meanings asks which one.
ZONES = {
    "pacific": "America/Los_Angeles", "pt": "America/Los_Angeles", "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles", "eastern": "America/New_York", "et": "America/New_York",
    "est": "America/New_York", "edt": "America/New_York", "central": "America/Chicago",
    "ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago",
    "mountain": "America/Denver", "mt": "America/Denver", "mst": "America/Denver",
    "mdt": "America/Denver", "cet": "Europe/Paris", "cest": "Europe/Paris",
    "bst": "Europe/London", "london": "Europe/London", "paris": "Europe/Paris",
    "berlin": "Europe/Berlin", "tokyo": "Asia/Tokyo", "jst": "Asia/Tokyo",
    "singapore": "Asia/Singapore", "sgt": "Asia/Singapore", "sydney": "Australia/Sydney",
    "aest": "Australia/Sydney", "beijing": "Asia/Shanghai", "shanghai": "Asia/Shanghai",
    "seoul": "Asia/Seoul", "kst": "Asia/Seoul", "mumbai": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata", "delhi": "Asia/Kolkata", "new york": "America/New_York",
    "nyc": "America/New_York", "sf": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles", "los angeles": "America/Los_Angeles",
    "chicago": "America/Chicago", "denver": "America/Denver", "dublin": "Europe/Dublin",
    "amsterdam": "Europe/Amsterdam", "madrid": "Europe/Madrid", "hong kong": "Asia/Hong_Kong",
}  # fmt: skip
AMBIGUOUS = {
    "ist": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "ast": ("America/Halifax", "Asia/Riyadh"),
}
MOMENTS = {"midnight": "00:00", "noon": "12:00", "morning": "09:00", "afternoon": "15:00"}
MOMENTS |= {"evening": "19:00", "night": "23:00"}
CLOCK = r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<half>am|pm)?"
ZONE_WORDS = "|".join(sorted([*ZONES, *AMBIGUOUS], key=len, reverse=True))
IANA = r"[A-Za-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?"
CLOCK_EXAMPLE = "cost deepseek-chat 1M tokens at 18:00 UTC"


def _clock(match: re.Match[str]) -> tuple[int, int]:
    if match["moment"]:
        said_hour, said_minute = MOMENTS[match["moment"].lower()].split(":")
        return int(said_hour), int(said_minute)
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"]:
        if not 1 <= hour <= 12:
            raise refuse(f"'{match['clock']}' is not a time of day.", CLOCK_EXAMPLE)
        hour = hour % 12 + (12 if match["half"].lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        raise refuse(f"'{match['clock']}' is not a time of day.", CLOCK_EXAMPLE)
    return hour, minute


def zone_named(said: str) -> str:
    """The IANA name of a zone people name; asks which when an abbreviation has several."""
    key = " ".join(said.lower().split()).removesuffix(" time").strip()
    if key in AMBIGUOUS:
        options = " or ".join(AMBIGUOUS[key])
        raise refuse(f"'{said}' names several zones: {options}? Name one.", CLOCK_EXAMPLE)
    return ZONES.get(key, said)


def _in_utc(match: re.Match[str], context: Context) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only when a zone is named

    hour, minute = _clock(match)
    name = zone_named(match["zone"])
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise refuse(f"I don't know the time zone '{match['zone']}'.", CLOCK_EXAMPLE) from error
    local = datetime.combine(context.today, time(hour, minute), tzinfo=zone)
    utc = local.astimezone(ZoneInfo("UTC"))
    context.note(
        f"{match['clock'].strip()} {match['zone'].strip()} is {utc:%H:%M} UTC "
        f"({name}, {local:%Z} on {context.today.isoformat()})."
    )
    return f"at {utc:%H:%M} UTC"


def _plain_clock(match: re.Match[str], context: Context) -> str:
    hour, minute = _clock(match)
    return f"at {hour:02d}:{minute:02d}"


ZONE = rf"(?P<zone>{ZONE_WORDS}|{IANA})(?:\s+time)?"
TIME = rf"(?P<clock>(?P<moment>{'|'.join(MOMENTS)})|{CLOCK})"
TIMES = (
    phrase(rf"\bat\s+{TIME}\s+(?:in\s+)?{ZONE}(?![\w/])", _in_utc, when=("at ",)),
    # "at 9am", "at 9:30pm": a 12-hour clock (UTC assumed, as for '18:00').
    phrase(
        r"\bat\s+(?P<clock>(?P<moment>)(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<half>am|pm))\b",
        _plain_clock,
        when=("am", "pm"),
    ),
)
ALL = (*TIMES, *DATES)
