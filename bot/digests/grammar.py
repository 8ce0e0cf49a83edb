"""The words after `/llmcost digest`: subscribe, unsubscribe, status, preview, watch, help.

`digest subscribe` takes its words in any order: `weekly` or `daily`, a weekday (`mon`,
`monday`, `mondays`), a time (`09:00`, `9:00`, `9am`, `6:30pm`, `18:30`, `noon`) and an IANA
time zone (`Europe/Paris`, `utc`; any case), then optionally `watch <terms>`, where everything
after `watch` is terms separated by commas or spaces (`watch all` or `watch everything`: the
default, the model makers' own prices). Each of them at most once. As in pricing.parse, every
word is understood or reported with what would work instead; watch terms are left for the
caller to check against the tariffs.
"""

import difflib
import re
from dataclasses import dataclass
from datetime import time
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.digests.schedules import (
    WEEKDAY_NAMES,
    WEEKDAYS,
    Cadence,
    Schedule,
    check_time_zone,
    check_wall_time,
)
from pricing.errors import ParseError

DIGEST_EXAMPLES = {
    "subscribe": "digest subscribe weekly mon 09:00 Europe/Paris",
    "unsubscribe": "digest unsubscribe",
    "status": "digest status",
    "preview": "digest preview",
    "watch": "digest watch openai, gpt-4o",
    "help": "digest help",
}
SUBCOMMANDS = tuple(DIGEST_EXAMPLES)
_SUBCOMMAND_SYNONYMS = {
    "sub": "subscribe",
    "start": "subscribe",
    "unsub": "unsubscribe",
    "stop": "unsubscribe",
    "cancel": "unsubscribe",
    "show": "status",
    "?": "help",
}

_CADENCE_WORDS: dict[str, Cadence] = {
    "weekly": "weekly",
    "week": "weekly",
    "daily": "daily",
    "day": "daily",
}
_WEEKDAY_WORDS = {
    **{short: day for day, short in enumerate(WEEKDAYS)},
    **{name.lower(): day for day, name in enumerate(WEEKDAY_NAMES)},
    **{f"{name.lower()}s": day for day, name in enumerate(WEEKDAY_NAMES)},
    "tues": 1, "weds": 2, "thur": 3, "thurs": 3,
}  # fmt: skip
_NAMED_TIMES = {"noon": time(12), "midnight": time(0)}
_FILLER_WORDS = {"at", "on", "in", "every", "and", "&"}
_ALL_WORDS = {"all", "everything"}
_NOTHING_WORDS = {"none", "nothing"}
_TERM_FILLERS = {"and", "&"}
_KEYWORDS = sorted({"watch", *_CADENCE_WORDS, *_WEEKDAY_WORDS, *_NAMED_TIMES})

# "6:30pm", "18:30", "9am", "9": an hour, optional minutes, optional half of the day.
_TIME = re.compile(r"(?P<hour>[0-9]{1,2})(?::(?P<minute>[0-9]{2}))?(?P<half>am|pm)?")
_HALVES = {"am", "pm"}
# "UTC+2", "gmt-05:30", "+02:00": an offset, which a place's zone name should replace.
_OFFSET = re.compile(r"(?:utc|gmt)?(?P<sign>[+-])(?P<hours>[0-9]{1,2})(?::?(?P<minutes>[0-9]{2}))?")
# Abbreviations people type for a zone. EST and MST are tzdb names too, but fixed offsets with
# no summer time: a New Yorker who types EST would get the digest an hour late all summer.
_ABBREVIATIONS = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "ct": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "bst": "Europe/London",
    "cest": "Europe/Paris",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "jst": "Asia/Tokyo",
    "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland",
}
_STRIP_LEAD = ",;!?\"'()\u201c\u201d\u2018\u2019"
_STRIP_TRAIL = _STRIP_LEAD + ".:"
_SEPARATORS = re.compile(r"[\s,]+")
# Suggestions compare at most this much of a word: a pasted paragraph is not a zone name.
_MAX_SUGGEST_LENGTH = 64


class _Request(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Subscribe(_Request):
    """Start (or change) the channel's digest. None means "not said": the caller fills it from
    the current subscription or the defaults (see `schedule_for`)."""

    kind: Literal["subscribe"] = "subscribe"
    cadence: Cadence | None = None  # None: as now, else weekly (a weekday alone says weekly)
    weekday: int | None = Field(default=None, ge=0, le=6)  # None: as now, else Monday
    at: time | None = None  # None: 09:00
    time_zone: str | None = None  # None: the subscriber's own zone
    watch: tuple[str, ...] | None = None  # None: keep the watch list; (): everything

    @field_validator("at")
    @classmethod
    def _minutes_only(cls, value: time | None) -> time | None:
        return None if value is None else check_wall_time(value)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else check_time_zone(value)

    @field_validator("watch", mode="before")
    @classmethod
    def _clean_watch(cls, value: Any) -> Any:
        return value if value is None else _clean_terms(value)

    @model_validator(mode="before")
    @classmethod
    def _a_weekday_means_weekly(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("weekday") is not None and not data.get("cadence"):
            return {**data, "cadence": "weekly"}
        return data

    @model_validator(mode="after")
    def _daily_has_no_weekday(self) -> "Subscribe":
        if self.cadence == "daily" and self.weekday is not None:
            raise ValueError("a daily digest runs every day and takes no weekday")
        return self


class Unsubscribe(_Request):
    kind: Literal["unsubscribe"] = "unsubscribe"


class Status(_Request):
    kind: Literal["status"] = "status"


class Preview(_Request):
    kind: Literal["preview"] = "preview"


class Watch(_Request):
    """Replace the channel's watch list; an empty tuple watches everything."""

    kind: Literal["watch"] = "watch"
    terms: tuple[str, ...]

    @field_validator("terms", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return _clean_terms(value)


class DigestHelp(_Request):
    kind: Literal["help"] = "help"


DigestRequest = Annotated[
    Subscribe | Unsubscribe | Status | Preview | Watch | DigestHelp, Field(discriminator="kind")
]


def parse_digest_request(text: str) -> DigestRequest:
    """The words after `digest` -> a request; "" asks for help. ParseError for anything else."""
    words = _words(text)
    if not words:
        return DigestHelp()
    typed = words[0]
    subcommand = _SUBCOMMAND_SYNONYMS.get(typed.lower(), typed.lower())
    match subcommand:
        case "subscribe":
            return _SubscribeParser(words).parse()
        case "watch":
            return Watch(terms=_watch_terms(words, 1))
        case "help":
            return DigestHelp()  # help is harmless: words after it need no checking
        case "unsubscribe":
            _no_more_words(words, "unsubscribe")
            return Unsubscribe()
        case "status":
            _no_more_words(words, "status")
            return Status()
        case "preview":
            _no_more_words(words, "preview")
            return Preview()
    raise _unknown_subcommand(words)


def schedule_for(
    request: Subscribe, *, time_zone: str, current: Schedule | None = None
) -> Schedule:
    """The schedule a subscription asks for. What it leaves unsaid stays as in `current` (so
    `subscribe` alone resumes a paused digest as it was, and `subscribe 10:00` moves only the
    time), else defaults to weekly on Monday at 09:00 in `time_zone` (the subscriber's own,
    looked up by the caller)."""
    zone = request.time_zone or (current.time_zone if current else time_zone)
    try:
        check_time_zone(zone)
    except ValueError as exc:
        fixed = _command(render_subscribe(request.model_copy(update={"time_zone": "UTC"})))
        raise ParseError(
            f"I can't use your time zone '{zone}' for the digest; name one in the command, "
            f"such as UTC or Europe/Paris. Try: {fixed}",
            suggestions=[fixed],
        ) from exc
    cadence = request.cadence or (current.cadence if current else "weekly")
    weekday = None
    if cadence == "weekly":
        kept = current.weekday if current is not None and current.cadence == "weekly" else None
        weekday = next(day for day in (request.weekday, kept, 0) if day is not None)
    return Schedule(
        cadence=cadence,
        weekday=weekday,
        at=request.at or (current.at if current else time(9, 0)),
        time_zone=zone,
    )


def render_subscribe(request: Subscribe) -> str:
    """The words after `digest` that ask for `request`: parse_digest_request reads them back as
    the same request. Only what the request says is written; defaults stay unsaid."""
    words = ["subscribe"] + ([request.cadence] if request.cadence else [])
    if request.weekday is not None:
        words.append(WEEKDAYS[request.weekday])
    if request.at is not None:
        words.append(request.at.strftime("%H:%M"))
    if request.time_zone is not None:
        words.append(request.time_zone)
    if request.watch is not None:
        words.append(render_watch(request.watch))
    return " ".join(words)


def render_watch(terms: tuple[str, ...]) -> str:
    """'watch openai, gpt-4o', or 'watch all' for everything."""
    return f"watch {', '.join(terms) if terms else 'all'}"


# ---------------------------------------------------------------------------------------------
# Words


def _words(text: str) -> list[str]:
    return [word for raw in _SEPARATORS.split(text) if (word := _clean_word(raw))]


def _clean_word(raw: str) -> str:
    # "Monday," "9am." "(Europe/Paris)": punctuation around a word is not part of it.
    return raw.lstrip(_STRIP_LEAD).rstrip(_STRIP_TRAIL)


def _command(words_after_digest: str) -> str:
    return f"digest {words_after_digest}"


def _no_more_words(words: list[str], subcommand: str) -> None:
    if len(words) > 1:
        example = DIGEST_EXAMPLES[subcommand]
        raise ParseError(
            f"'{example}' takes no more words; I didn't understand '{words[1]}'. Try: {example}",
            suggestions=[example],
        )


def _unknown_subcommand(words: list[str]) -> ParseError:
    typed = words[0]
    rest = " ".join(words[1:])
    suggestions = []
    if _parses(f"subscribe {' '.join(words)}"):
        suggestions.append(_command(f"subscribe {' '.join(words)}"))
    for name in difflib.get_close_matches(typed.lower()[:_MAX_SUGGEST_LENGTH], SUBCOMMANDS, n=2):
        # Keep the rest of the words only where they still make a command.
        kept = f"{name} {rest}".strip()
        suggestions.append(_command(kept) if _parses(kept) else DIGEST_EXAMPLES[name])
    if not suggestions:
        suggestions = [DIGEST_EXAMPLES["subscribe"], DIGEST_EXAMPLES["help"]]
    return ParseError(
        f"There is no 'digest {typed}'. Did you mean: {suggestions[0]}? "
        f"The digest commands are {', '.join(SUBCOMMANDS)}.",
        suggestions=suggestions,
    )


def _parses(text: str) -> bool:
    try:
        parse_digest_request(text)
    except ParseError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# digest subscribe ...


@dataclass
class _Said:
    """What words[index:index + width] (as typed) mean."""

    word: str
    value: Any
    index: int
    width: int = 1


@dataclass
class _SubscribeParser:
    words: list[str]  # words[0] is "subscribe" as typed
    position: int = 1
    cadence: _Said | None = None
    weekday: _Said | None = None
    at: _Said | None = None
    time_zone: _Said | None = None
    watch: tuple[str, ...] | None = None

    def parse(self) -> Subscribe:
        while self.position < len(self.words):
            self._take_one()
        if self.cadence is not None and self.cadence.value == "daily" and self.weekday is not None:
            raise self._fail(
                f"A daily digest runs every day; drop '{self.weekday.word}' or say weekly.",
                self._replacing(self.weekday.index, 1, None),
                self._replacing(self.cadence.index, 1, "weekly"),
            )
        return Subscribe(
            cadence=self.cadence.value if self.cadence else None,
            weekday=self.weekday.value if self.weekday else None,
            at=self.at.value if self.at else None,
            time_zone=self.time_zone.value if self.time_zone else None,
            watch=self.watch,
        )

    def _take_one(self) -> None:
        index = self.position
        word = self.words[index]
        lowered = word.lower()
        self.position += 1
        if lowered == "watch":
            self.watch = _watch_terms(self.words, index + 1)
            self.position = len(self.words)
        elif lowered in _FILLER_WORDS:
            pass
        elif lowered in _CADENCE_WORDS:
            cadence = _Said(word, _CADENCE_WORDS[lowered], index)
            self.cadence = self._once(self.cadence, cadence, "cadence")
        elif lowered in _WEEKDAY_WORDS:
            weekday = _Said(word, _WEEKDAY_WORDS[lowered], index)
            self.weekday = self._once(self.weekday, weekday, "day")
        elif (said_time := self._take_time(index)) is not None:
            self.at = self._once(self.at, said_time, "time")
        elif (zone := _zone_names().get(lowered)) is not None:
            self.time_zone = self._once(self.time_zone, _Said(word, zone, index), "time zone")
        else:
            raise self._unknown_word(index)

    def _once(self, current: _Said | None, said: _Said, what: str) -> _Said:
        if current is None:
            return said
        if current.word.lower() == said.word.lower():
            message = f"'{said.word}' is given twice."
        elif current.value == said.value:
            message = f"The {what} is given twice: '{current.word}' and '{said.word}'."
        else:
            message = f"'{current.word}' or '{said.word}'? A digest has one {what}."
        raise self._fail(
            message,
            self._replacing(said.index, said.width, None),
            self._replacing(current.index, current.width, None),
        )

    def _take_time(self, index: int) -> _Said | None:
        """A time of day starting at words[index] (and maybe an 'am'/'pm' after it); None if
        the word is not trying to be a time, ParseError if it tries and fails."""
        word = self.words[index]
        lowered = _fold_halves(word.lower())
        if lowered in _NAMED_TIMES:
            return _Said(word, _NAMED_TIMES[lowered], index)
        if not lowered[:1].isascii() or not lowered[:1].isdigit():
            return None
        follower = self.words[index + 1] if index + 1 < len(self.words) else ""
        width = 1
        if _fold_halves(follower.lower()) in _HALVES and not lowered.endswith(tuple(_HALVES)):
            lowered += _fold_halves(follower.lower())
            width = 2
        value = _wall_time(lowered)
        if value is None:
            raise self._bad_time(index, width)
        self.position = index + width
        return _Said(" ".join(self.words[index : index + width]), value, index, width)

    def _bad_time(self, index: int, width: int) -> ParseError:
        typed = " ".join(self.words[index : index + width])
        if re.fullmatch(r"[0-9]{1,2}", typed):
            message = f"'{typed}' needs minutes or am/pm: write {int(typed):02d}:00 or {typed}am."
        else:
            message = f"'{typed}' is not a time of day; write it like 09:00, 18:30 or 6:30pm."
        return self._fail(message, self._replacing(index, width, "09:00"))

    def _unknown_word(self, index: int) -> ParseError:
        """What was wrong with words[index], from the most specific explanation to the least:
        a zone abbreviation or offset, a city, a misspelt keyword, a misspelt zone."""
        word = self.words[index]
        lowered = word.lower()
        if (place := _ABBREVIATIONS.get(lowered)) is not None:
            return self._fail(
                f"'{word}' is an abbreviation, not a time zone name; name the place so the "
                f"digest follows its summer time, e.g. {place}.",
                self._replacing(index, 1, place),
            )
        if (offset := _OFFSET.fullmatch(lowered)) is not None:
            return self._offset_error(index, word, offset)
        if (city := self._city(index)) is not None:
            return city
        close = difflib.get_close_matches(
            lowered[:_MAX_SUGGEST_LENGTH], _KEYWORDS, n=1, cutoff=0.75
        )
        if close and "/" not in lowered:
            return self._fail(
                f"I didn't understand '{word}'; did you mean '{close[0]}'?",
                self._replacing(index, 1, close[0]),
            )
        if names := _zones_close_to(lowered):
            return self._did_you_mean_zone(index, 1, names[:1])
        if "/" in lowered:
            missing = "" if len(_zone_names()) > 1 else " (this server has no time zone database)"
            return self._fail(
                f"I don't know the time zone '{word}'{missing}; use an IANA name such as "
                "Europe/Paris, America/New_York or UTC.",
                self._replacing(index, 1, "UTC"),
            )
        return self._fail(
            f"I didn't understand '{word}' in a digest subscription: expected weekly or daily, "
            "a day (mon to sun), a time (09:00, 6:30pm), a time zone (Europe/Paris), "
            "or 'watch' and what to watch.",
            self._replacing(index, 1, None),
        )

    def _city(self, index: int) -> ParseError | None:
        """'Paris', 'America/Paris', 'new york': the last part of zone names."""
        lowered = self.words[index].lower()
        if names := _zones_of_city(lowered):
            return self._did_you_mean_zone(index, 1, names)
        if index + 1 == len(self.words) or "/" in lowered:
            return None
        if names := _zones_of_city(f"{lowered}_{self.words[index + 1].lower()}"):
            return self._did_you_mean_zone(index, 2, names)
        return None

    def _did_you_mean_zone(self, index: int, width: int, names: list[str]) -> ParseError:
        typed = " ".join(self.words[index : index + width])
        return self._fail(
            f"I don't know the time zone '{typed}'; did you mean {' or '.join(names)}?",
            *(self._replacing(index, width, name) for name in names),
        )

    def _offset_error(self, index: int, word: str, offset: re.Match[str]) -> ParseError:
        # tzdb's fixed-offset zones reverse the sign: Etc/GMT-2 is two hours ahead of UTC.
        hours = int(offset["hours"])
        fixed = f"Etc/GMT{'-' if offset['sign'] == '+' else '+'}{hours}"
        if hours == 0:
            fixed = "UTC"
        usable = not offset["minutes"] or offset["minutes"] == "00"
        if not usable or fixed.lower() not in _zone_names():
            return self._fail(
                f"'{word}' is an offset, not a time zone name; name the place instead, "
                "e.g. Asia/Kolkata, so the digest follows its summer time if it has one.",
                self._replacing(index, 1, "UTC"),
            )
        return self._fail(
            f"'{word}' is an offset, not a time zone name; name the place, e.g. Europe/Paris, "
            f"so the digest follows its summer time, or say {fixed} for that offset all year "
            "(these names reverse the sign).",
            self._replacing(index, 1, fixed),
        )

    def _replacing(self, index: int, width: int, replacement: str | None) -> str:
        """The user's own command with words[index:index + width] replaced (or dropped)."""
        kept = self.words[:index] + ([replacement] if replacement else [])
        return _command(" ".join(kept + self.words[index + width :]))

    def _fail(self, message: str, *suggestions: str) -> ParseError:
        unique = list(dict.fromkeys(suggestions))
        return ParseError(f"{message} Try: {unique[0]}", suggestions=unique)


def _fold_halves(word: str) -> str:
    # "a.m." arrives as "a.m" (the trailing dot is stripped with the punctuation).
    return word.replace("a.m", "am").replace("p.m", "pm").rstrip(".")


def _wall_time(word: str) -> time | None:
    """'09:00', '9:00', '9am', '6:30pm', '18:30' -> time; None when it is not a valid time."""
    found = _TIME.fullmatch(word)
    if found is None:
        return None
    hour, minute, half = int(found["hour"]), int(found["minute"] or 0), found["half"]
    if half is None:
        # A bare "9" could be 09:00 or 21:00: ask rather than guess.
        valid = found["minute"] is not None and hour <= 23
    else:
        valid = 1 <= hour <= 12
        hour = hour % 12 + (12 if half == "pm" else 0)
    if not valid or minute > 59:
        return None
    return time(hour, minute)


# ---------------------------------------------------------------------------------------------
# watch ...


def _watch_terms(words: list[str], start: int) -> tuple[str, ...]:
    """The terms after 'watch' (words[start:]); () for 'all' or 'everything'."""
    typed = words[start:]
    terms = [word.lower() for word in typed if word.lower() not in _TERM_FILLERS]
    before = " ".join(words[:start])
    if not terms:
        example = _command(f"{before} openai, gpt-4o")
        raise ParseError(
            f"What should the digest watch? Name models or providers, or say 'all'. Try: {example}",
            suggestions=[example, _command(f"{before} all")],
        )
    if set(terms) & _NOTHING_WORDS:
        raise ParseError(
            "To stop the digest, unsubscribe; to watch every change, say 'watch all'. "
            f"Try: {DIGEST_EXAMPLES['unsubscribe']}",
            suggestions=[DIGEST_EXAMPLES["unsubscribe"], _command(f"{before} all")],
        )
    if set(terms) & _ALL_WORDS:
        if len(terms) > 1:
            everything = _command(f"{before} all")
            raise ParseError(
                f"'watch {' '.join(typed)}': 'all' already means the default (the model "
                f"makers' own prices); drop the other words or drop 'all'. Try: {everything}",
                suggestions=[everything],
            )
        return ()
    if "watch" in terms:
        example = _command(f"{before} openai, gpt-4o")
        raise ParseError(
            f"'watch' is given twice. Try: {example}",
            suggestions=[example],
        )
    return _clean_terms(terms)


def _clean_terms(value: Any) -> Any:
    """Watch terms as the grammar would read them: lowercase single words, no duplicates.
    Left unchanged (for pydantic to reject) when it is not a list of strings."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        return value
    terms: list[str] = []
    for term in value:
        if not isinstance(term, str):
            return value
        cleaned = _clean_word(term.strip()).lower()
        if not cleaned or _SEPARATORS.search(cleaned) or cleaned != term.strip().lower():
            raise ValueError(f"a watch term is one word, without spaces or commas: {term!r}")
        if cleaned in _ALL_WORDS | _NOTHING_WORDS | _TERM_FILLERS | {"watch"}:
            raise ValueError(f"{term!r} is a word of the grammar, not a watch term")
        if cleaned not in terms:
            terms.append(cleaned)
    return tuple(terms)


# ---------------------------------------------------------------------------------------------
# Time zone names


@cache
def _zone_names() -> dict[str, str]:
    """Lowercase name -> canonical name, of every zone this machine knows (at least UTC) and
    the grammar accepts (not EST or MST: see _ABBREVIATIONS)."""
    names = {
        name.lower(): name
        for name in available_timezones()
        if name.lower() not in _ABBREVIATIONS and _is_place(name)
    }
    names["utc"] = "UTC"
    return names


def _is_place(name: str) -> bool:
    try:
        check_time_zone(name)
    except ValueError:
        return False
    return True


@cache
def _zones_by_city() -> dict[str, tuple[str, ...]]:
    """'paris' -> ('Europe/Paris',): the last part of each zone name, lowercase."""
    cities: dict[str, list[str]] = {}
    for name in sorted(_zone_names().values()):
        cities.setdefault(name.rsplit("/", 1)[-1].lower(), []).append(name)
    return {city: tuple(names) for city, names in cities.items()}


def _zones_of_city(lowered: str) -> list[str]:
    """Zones whose last part is the word's: 'paris' and 'america/paris' -> ['Europe/Paris']."""
    city = lowered[:_MAX_SUGGEST_LENGTH].rsplit("/", 1)[-1]
    return list(_zones_by_city().get(city, ())[:3])


def _zones_close_to(lowered: str) -> list[str]:
    """Zone names a misspelt word may mean: 'europe/pari' -> ['Europe/Paris']."""
    lowered = lowered[:_MAX_SUGGEST_LENGTH]
    names = _zone_names()
    if "/" in lowered:
        close = difflib.get_close_matches(lowered, names, n=3, cutoff=0.8)
        if close:
            return [names[name] for name in close]
    city = lowered.rsplit("/", 1)[-1]
    if len(city) < 4:
        return []  # "abc" is close to too many short names to be worth a guess
    cities = _zones_by_city()
    return [cities[found][0] for found in difflib.get_close_matches(city, cities, n=3, cutoff=0.8)]
