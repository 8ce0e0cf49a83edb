"""The `/llmcost digest ...` grammar: every form, every error, and round trips."""

import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

import bot.digests.grammar as digest_requests
from bot.digests.grammar import (
    DIGEST_EXAMPLES,
    SUBCOMMANDS,
    DigestHelp,
    DigestRequest,
    Preview,
    Status,
    Subscribe,
    Unsubscribe,
    Watch,
    parse_digest_request,
    render_subscribe,
    render_watch,
    schedule_for,
)
from bot.digests.schedules import WEEKDAY_NAMES, WEEKDAYS, Schedule
from pricing.errors import ParseError


def _loadable(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


needs_tzdb = pytest.mark.skipif(
    not _loadable("Europe/Paris"), reason="no IANA time zone database on this machine"
)

FUZZ = settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

NINE = time(9, 0)


def _error(text: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_digest_request(text)
    return caught.value


# ---------------------------------------------------------------------------------------------
# Every form.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", DigestHelp()),
        ("   ", DigestHelp()),
        ("help", DigestHelp()),
        ("HELP subscribe", DigestHelp()),
        ("?", DigestHelp()),
        ("unsubscribe", Unsubscribe()),
        ("stop", Unsubscribe()),
        ("Status", Status()),
        ("preview", Preview()),
        ("subscribe", Subscribe()),
        ("sub", Subscribe()),
        ("subscribe weekly", Subscribe(cadence="weekly")),
        ("subscribe daily", Subscribe(cadence="daily")),
        ("subscribe every day", Subscribe(cadence="daily")),
        ("subscribe mon", Subscribe(weekday=0)),
        ("subscribe Monday", Subscribe(weekday=0)),
        ("subscribe mondays", Subscribe(weekday=0)),
        ("subscribe TUES", Subscribe(weekday=1)),
        ("subscribe thurs", Subscribe(weekday=3)),
        ("subscribe sun", Subscribe(weekday=6)),
        ("subscribe 09:00", Subscribe(at=NINE)),
        ("subscribe 9:00", Subscribe(at=NINE)),
        ("subscribe 9am", Subscribe(at=NINE)),
        ("subscribe 9 AM", Subscribe(at=NINE)),
        ("subscribe 9 a.m.", Subscribe(at=NINE)),
        ("subscribe 6:30pm", Subscribe(at=time(18, 30))),
        ("subscribe 6:30 pm", Subscribe(at=time(18, 30))),
        ("subscribe 18:30", Subscribe(at=time(18, 30))),
        ("subscribe 0:00", Subscribe(at=time(0, 0))),
        ("subscribe 23:59", Subscribe(at=time(23, 59))),
        ("subscribe 12am", Subscribe(at=time(0, 0))),
        ("subscribe 12pm", Subscribe(at=time(12, 0))),
        ("subscribe 12:30am", Subscribe(at=time(0, 30))),
        ("subscribe noon", Subscribe(at=time(12, 0))),
        ("subscribe midnight", Subscribe(at=time(0, 0))),
        ("subscribe utc", Subscribe(time_zone="UTC")),
        ("subscribe UTC", Subscribe(time_zone="UTC")),
        ("subscribe watch all", Subscribe(watch=())),
        ("subscribe watch everything", Subscribe(watch=())),
        ("subscribe watch openai", Subscribe(watch=("openai",))),
        ("watch openai, gpt-4o", Watch(terms=("openai", "gpt-4o"))),
        ("watch openai,gpt-4o", Watch(terms=("openai", "gpt-4o"))),
        ("watch OpenAI and Claude", Watch(terms=("openai", "claude"))),
        ("watch openai openai", Watch(terms=("openai",))),
        ("watch ft:gpt-3.5-turbo azure/gpt-4o", Watch(terms=("ft:gpt-3.5-turbo", "azure/gpt-4o"))),
        ("watch all", Watch(terms=())),
        ("watch Everything", Watch(terms=())),
        (
            "subscribe daily 6:30pm utc watch gpt-4o",
            Subscribe(cadence="daily", at=time(18, 30), time_zone="UTC", watch=("gpt-4o",)),
        ),
        (
            # Everything after 'watch' is a term, even words of the schedule grammar.
            "subscribe weekly watch daily mon",
            Subscribe(cadence="weekly", watch=("daily", "mon")),
        ),
        (
            "subscribe at 9am on Friday, utc",
            Subscribe(weekday=4, at=NINE, time_zone="UTC"),
        ),
    ],
)
def test_forms(text: str, expected: DigestRequest) -> None:
    assert parse_digest_request(text) == expected


@needs_tzdb
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "subscribe weekly mon 09:00 Europe/Paris",
            Subscribe(cadence="weekly", weekday=0, at=NINE, time_zone="Europe/Paris"),
        ),
        (
            # Any order, any case; zone names come back in their canonical case.
            "subscribe europe/paris 9AM Mondays WEEKLY",
            Subscribe(cadence="weekly", weekday=0, at=NINE, time_zone="Europe/Paris"),
        ),
        ("subscribe AMERICA/NEW_YORK", Subscribe(time_zone="America/New_York")),
        ("subscribe asia/kolkata daily", Subscribe(cadence="daily", time_zone="Asia/Kolkata")),
        ("subscribe Etc/GMT-2", Subscribe(time_zone="Etc/GMT-2")),
        (
            "subscribe America/Argentina/Buenos_Aires",
            Subscribe(time_zone="America/Argentina/Buenos_Aires"),
        ),
        (
            "subscribe (Europe/London) thu 7:05am watch anthropic, gemini-2.5-pro",
            Subscribe(
                weekday=3,
                at=time(7, 5),
                time_zone="Europe/London",
                watch=("anthropic", "gemini-2.5-pro"),
            ),
        ),
    ],
)
def test_forms_with_time_zones(text: str, expected: DigestRequest) -> None:
    assert parse_digest_request(text) == expected


@needs_tzdb
def test_every_example_works() -> None:
    assert tuple(DIGEST_EXAMPLES) == SUBCOMMANDS
    for subcommand, example in DIGEST_EXAMPLES.items():
        assert example.startswith(f"digest {subcommand}")
        assert parse_digest_request(example.removeprefix("digest ")).kind == subcommand


# ---------------------------------------------------------------------------------------------
# Every error says what was wrong and what would work.


@pytest.mark.parametrize(
    ("text", "message", "suggestion"),
    [
        (
            "subscibe weekly",
            "There is no 'digest subscibe'. Did you mean: digest subscribe weekly?",
            "digest subscribe weekly",
        ),
        ("stauts", "There is no 'digest stauts'", "digest status"),
        ("unsubscrbe now", "There is no 'digest unsubscrbe'", "digest unsubscribe"),
        (
            "weekly mon 9am",
            "Did you mean: digest subscribe weekly mon 9am?",
            "digest subscribe weekly mon 9am",
        ),
        ("frobnicate", "There is no 'digest frobnicate'", DIGEST_EXAMPLES["subscribe"]),
        (
            "subscribe daily mon",
            "A daily digest runs every day; drop 'mon' or say weekly.",
            "digest subscribe daily",
        ),
        (
            "subscribe Mon daily",
            "A daily digest runs every day; drop 'Mon' or say weekly.",
            "digest subscribe Mon weekly",
        ),
        ("subscribe weekly weekly", "'weekly' is given twice.", "digest subscribe weekly"),
        (
            "subscribe mon monday",
            "The day is given twice: 'mon' and 'monday'.",
            "digest subscribe mon",
        ),
        (
            "subscribe weekly daily",
            "'weekly' or 'daily'? A digest has one cadence.",
            "digest subscribe weekly",
        ),
        ("subscribe mon tue", "'mon' or 'tue'? A digest has one day.", "digest subscribe tue"),
        (
            "subscribe 9am 6:30 pm",
            "'9am' or '6:30 pm'? A digest has one time.",
            "digest subscribe 6:30 pm",
        ),
        ("subscribe utc UTC", "'UTC' is given twice.", "digest subscribe utc"),
        (
            "subscribe mon 25:00",
            "'25:00' is not a time of day; write it like 09:00, 18:30 or 6:30pm.",
            "digest subscribe mon 09:00",
        ),
        ("subscribe 9.5", "'9.5' is not a time of day", "digest subscribe 09:00"),
        ("subscribe 9:5", "'9:5' is not a time of day", "digest subscribe 09:00"),
        ("subscribe 9:60", "'9:60' is not a time of day", "digest subscribe 09:00"),
        ("subscribe 24:00", "'24:00' is not a time of day", "digest subscribe 09:00"),
        ("subscribe 13pm", "'13pm' is not a time of day", "digest subscribe 09:00"),
        ("subscribe 0am", "'0am' is not a time of day", "digest subscribe 09:00"),
        ("subscribe 18:30 pm", "'18:30 pm' is not a time of day", "digest subscribe 09:00"),
        ("subscribe 2026-12-01", "'2026-12-01' is not a time of day", "digest subscribe 09:00"),
        (
            "subscribe 9",
            "'9' needs minutes or am/pm: write 09:00 or 9am.",
            "digest subscribe 09:00",
        ),
        (
            "subscribe weekly wekly",
            "I didn't understand 'wekly'; did you mean 'weekly'?",
            "digest subscribe weekly weekly",
        ),
        ("subscribe mondy", "did you mean 'monday'?", "digest subscribe monday"),
        (
            "subscribe daily please",
            "I didn't understand 'please' in a digest subscription: expected weekly or daily, "
            "a day (mon to sun), a time (09:00, 6:30pm), a time zone (Europe/Paris), "
            "or 'watch' and what to watch.",
            "digest subscribe daily",
        ),
        ("subscribe am", "I didn't understand 'am'", "digest subscribe"),
        (
            "status now",
            "'digest status' takes no more words; I didn't understand 'now'.",
            "digest status",
        ),
        ("preview all", "'digest preview' takes no more words", "digest preview"),
        ("unsubscribe me", "'digest unsubscribe' takes no more words", "digest unsubscribe"),
        (
            "watch",
            "What should the digest watch? Name models or providers, or say 'all'.",
            "digest watch openai, gpt-4o",
        ),
        (
            "subscribe daily watch",
            "What should the digest watch?",
            "digest subscribe daily watch openai, gpt-4o",
        ),
        ("watch and", "What should the digest watch?", "digest watch openai, gpt-4o"),
        ("watch nothing", "To stop the digest, unsubscribe", "digest unsubscribe"),
        (
            "watch all openai",
            "'watch all openai': 'all' already means the default",
            "digest watch all",
        ),
        (
            "subscribe watch all gpt-4o",
            "'all' already means the default",
            "digest subscribe watch all",
        ),
        ("watch openai watch gpt-4o", "'watch' is given twice.", "digest watch openai, gpt-4o"),
    ],
)
def test_errors(text: str, message: str, suggestion: str) -> None:
    error = _error(text)
    assert message in error.message
    assert suggestion in error.suggestions
    assert error.message.endswith(f"Try: {error.suggestions[0]}") or "Did you mean" in error.message
    assert "Traceback" not in error.message


@needs_tzdb
@pytest.mark.parametrize(
    ("text", "message", "suggestion"),
    [
        (
            "subscribe weekly Paris",
            "I don't know the time zone 'Paris'; did you mean Europe/Paris?",
            "digest subscribe weekly Europe/Paris",
        ),
        (
            "subscribe Europe/Pari",
            "I don't know the time zone 'Europe/Pari'; did you mean Europe/Paris?",
            "digest subscribe Europe/Paris",
        ),
        ("subscribe America/Paris", "did you mean Europe/Paris?", "digest subscribe Europe/Paris"),
        ("subscribe kolkatta", "did you mean Asia/Kolkata?", "digest subscribe Asia/Kolkata"),
        (
            "subscribe 9am new york",
            "I don't know the time zone 'new york'; did you mean America/New_York?",
            "digest subscribe 9am America/New_York",
        ),
        (
            "subscribe Indianapolis",
            "did you mean America/Indiana/Indianapolis or America/Indianapolis?",
            "digest subscribe America/Indianapolis",
        ),
        (
            "subscribe Atlantis/Lost",
            "I don't know the time zone 'Atlantis/Lost'; use an IANA name such as Europe/Paris",
            "digest subscribe UTC",
        ),
        (
            "subscribe EST",
            "'EST' is an abbreviation, not a time zone name; name the place so the digest "
            "follows its summer time, e.g. America/New_York.",
            "digest subscribe America/New_York",
        ),
        ("subscribe pst", "'pst' is an abbreviation", "digest subscribe America/Los_Angeles"),
        (
            "subscribe UTC+2",
            "'UTC+2' is an offset, not a time zone name; name the place, e.g. Europe/Paris, so the "
            "digest follows its summer time, or say Etc/GMT-2 for that offset all year",
            "digest subscribe Etc/GMT-2",
        ),
        (
            "subscribe gmt-5",
            "or say Etc/GMT+5 for that offset all year",
            "digest subscribe Etc/GMT+5",
        ),
        ("subscribe +05:30", "'+05:30' is an offset", "digest subscribe UTC"),
        ("subscribe localtime", "I didn't understand 'localtime'", "digest subscribe"),
        (
            "subscribe posix/Europe/Paris",
            "did you mean Europe/Paris?",
            "digest subscribe Europe/Paris",
        ),
    ],
)
def test_time_zone_errors(text: str, message: str, suggestion: str) -> None:
    error = _error(text)
    assert message in error.message
    assert suggestion in error.suggestions


@needs_tzdb
def test_suggested_zones_parse() -> None:
    for text in ("subscribe weekly Paris", "subscribe Europe/Pari", "subscribe 9am new york"):
        suggestion = _error(text).suggestions[0]
        assert isinstance(parse_digest_request(suggestion.removeprefix("digest ")), Subscribe)


def test_user_words_are_kept_as_typed() -> None:
    error = _error("subscribe <@U123> &amp; *bold*")
    assert "'<@U123>'" in error.message


def test_without_a_time_zone_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest_requests, "_zone_names", lambda: {"utc": "UTC"})
    monkeypatch.setattr(digest_requests, "_zones_by_city", lambda: {"utc": ("UTC",)})
    assert parse_digest_request("subscribe utc") == Subscribe(time_zone="UTC")
    error = _error("subscribe Europe/Paris")
    assert "(this server has no time zone database)" in error.message
    assert error.suggestions == ["digest subscribe UTC"]


# ---------------------------------------------------------------------------------------------
# Models, defaults and rendering.


@needs_tzdb
def test_schedule_for_keeps_what_is_unsaid_of_the_current_schedule() -> None:
    current = Schedule(cadence="daily", weekday=None, at=time(18, 30), time_zone="Asia/Tokyo")

    assert schedule_for(Subscribe(), time_zone="Europe/Paris", current=current) == current
    assert schedule_for(
        Subscribe(at=time(7, 0)), time_zone="Europe/Paris", current=current
    ) == current.model_copy(update={"at": time(7, 0)})
    assert schedule_for(Subscribe(weekday=4), time_zone="UTC", current=current) == Schedule(
        cadence="weekly", weekday=4, at=time(18, 30), time_zone="Asia/Tokyo"
    )
    weekly = Schedule(weekday=2, at=time(8, 0), time_zone="UTC")
    assert schedule_for(Subscribe(cadence="weekly"), time_zone="Asia/Tokyo", current=weekly) == (
        weekly
    )


@needs_tzdb
def test_schedule_for_fills_defaults() -> None:
    assert schedule_for(Subscribe(), time_zone="America/New_York") == Schedule(
        cadence="weekly", weekday=0, at=NINE, time_zone="America/New_York"
    )
    assert schedule_for(Subscribe(cadence="daily"), time_zone="UTC") == Schedule(
        cadence="daily", weekday=None, at=NINE, time_zone="UTC"
    )
    request = Subscribe(weekday=4, at=time(18, 30), time_zone="Asia/Kolkata")
    assert schedule_for(request, time_zone="Europe/Paris") == Schedule(
        weekday=4, at=time(18, 30), time_zone="Asia/Kolkata"
    )


def test_schedule_for_an_unusable_fallback_zone_asks_for_one() -> None:
    with pytest.raises(ParseError) as caught:
        schedule_for(Subscribe(cadence="daily", at=time(7)), time_zone="Mars/Olympus_Mons")
    assert "I can't use your time zone 'Mars/Olympus_Mons'" in caught.value.message
    assert caught.value.suggestions == ["digest subscribe daily 07:00 UTC"]


@pytest.mark.parametrize(
    ("request_", "words"),
    [
        (Subscribe(), "subscribe"),
        (Subscribe(cadence="weekly"), "subscribe weekly"),
        (Subscribe(cadence="daily", at=time(18, 30)), "subscribe daily 18:30"),
        (
            Subscribe(weekday=6, at=time(7, 5), time_zone="UTC", watch=("openai", "gpt-4o")),
            "subscribe weekly sun 07:05 UTC watch openai, gpt-4o",
        ),
        (Subscribe(watch=()), "subscribe watch all"),
    ],
)
def test_render_subscribe(request_: Subscribe, words: str) -> None:
    assert render_subscribe(request_) == words
    assert parse_digest_request(words) == request_


def test_render_watch() -> None:
    assert render_watch(()) == "watch all"
    assert render_watch(("openai", "claude")) == "watch openai, claude"


@pytest.mark.parametrize(
    "fields",
    [
        {"cadence": "daily", "weekday": 0},
        {"weekday": 7},
        {"at": time(9, 0, 1)},
        {"time_zone": "utc"},
        {"time_zone": "localtime"},
        {"time_zone": "Not/AZone"},
        {"watch": ("two words",)},
        {"watch": ("a,b",)},
        {"watch": ("",)},
        {"watch": ("all",)},
        {"watch": ("gpt-4o.",)},
        {"watch": "openai"},
        {"kind": "unsubscribe"},
        {"colour": "blue"},
    ],
)
def test_invalid_subscriptions_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Subscribe(**fields)


def test_watch_terms_are_normalised() -> None:
    assert Watch(terms=["OpenAI", "openai", "GPT-4o"]).terms == ("openai", "gpt-4o")
    assert Subscribe(watch=["Claude"]).watch == ("claude",)
    with pytest.raises(ValidationError):
        Watch(terms=("everything",))


def test_requests_are_discriminated_by_kind() -> None:
    adapter = TypeAdapter(DigestRequest)
    for request in (
        Subscribe(cadence="daily", at=time(6), time_zone="UTC", watch=("openai",)),
        Unsubscribe(),
        Status(),
        Preview(),
        Watch(terms=()),
        DigestHelp(),
    ):
        assert adapter.validate_json(adapter.dump_json(request)) == request


# ---------------------------------------------------------------------------------------------
# Properties: render and parse round-trip; arbitrary text gives a request or a ParseError.


def _zones() -> list[str]:
    return sorted(digest_requests._zone_names().values())


terms = st.from_regex(r"[a-z0-9][a-z0-9._:/+-]{0,15}", fullmatch=True).filter(
    lambda term: (
        term[-1] not in ".:"
        and term not in {"all", "everything", "and", "none", "nothing", "watch"}
    )
)


@st.composite
def subscriptions(draw: st.DrawFn) -> Subscribe:
    cadence = draw(st.sampled_from(["weekly", "daily"]))
    weekday = draw(st.none() | st.integers(0, 6)) if cadence == "weekly" else None
    at = draw(st.none() | st.builds(time, st.integers(0, 23), st.integers(0, 59)))
    return Subscribe(
        cadence=cadence,
        weekday=weekday,
        at=at,
        time_zone=draw(st.none() | st.sampled_from(_zones())),
        watch=draw(st.none() | st.lists(terms, max_size=4, unique=True).map(tuple)),
    )


def _random_case(draw: st.DrawFn, word: str) -> str:
    return draw(st.sampled_from([word, word.lower(), word.upper(), word.title()]))


def _time_words(draw: st.DrawFn, at: time) -> str:
    forms = [at.strftime("%H:%M"), f"{at.hour}:{at.minute:02d}"]
    half = "am" if at.hour < 12 else "pm"
    hour12 = at.hour % 12 or 12
    forms += [f"{hour12}:{at.minute:02d}{half}", f"{hour12}:{at.minute:02d} {half.upper()}"]
    if at.minute == 0:
        forms += [f"{hour12}{half}", f"{hour12} {half}"]
    if at in (time(12), time(0)):
        forms.append("noon" if at.hour else "midnight")
    return draw(st.sampled_from(forms))


def _weekday_words(draw: st.DrawFn, weekday: int) -> str:
    name = WEEKDAY_NAMES[weekday]
    return _random_case(draw, draw(st.sampled_from([WEEKDAYS[weekday], name, f"{name}s"])))


@st.composite
def said_in_any_order(draw: st.DrawFn) -> tuple[Subscribe, str]:
    request = draw(subscriptions())
    parts = []
    if request.cadence == "daily" or draw(st.booleans()):
        parts.append(_random_case(draw, request.cadence))
    elif request.weekday is None:
        # Unsaid, the cadence stays as the channel has it (weekly for a new subscription).
        request = request.model_copy(update={"cadence": None})
    if request.weekday is not None:
        parts.append(_weekday_words(draw, request.weekday))
    if request.at is not None:
        parts.append(_time_words(draw, request.at))
    if request.time_zone is not None:
        parts.append(_random_case(draw, request.time_zone))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["at", "on", "every", "in"])))
    parts = draw(st.permutations(parts))
    separator = draw(st.sampled_from([" ", ", ", "  ", "\t", "\n"]))
    text = separator.join([_random_case(draw, "subscribe"), *parts])
    if request.watch is not None:
        words = [_random_case(draw, term) for term in request.watch] or [
            draw(st.sampled_from(["all", "everything", "ALL"]))
        ]
        joiner = draw(st.sampled_from([", ", " ", ",", " and "]))
        text += f" {_random_case(draw, 'watch')} {joiner.join(words)}"
    return request, text


@FUZZ
@given(subscriptions())
def test_render_subscribe_round_trips(request: Subscribe) -> None:
    assert parse_digest_request(render_subscribe(request)) == request


@FUZZ
@given(said_in_any_order())
def test_subscriptions_in_any_order_and_case(case: tuple[Subscribe, str]) -> None:
    request, text = case
    assert parse_digest_request(text) == request


KEYWORDS = [
    *SUBCOMMANDS,
    "sub", "stop", "weekly", "daily", "day", "every", "at", "on", "watch", "all", "and",
    "mon", "Tuesday", "sundays", "noon", "9", "9am", "9", "am", "PM", "6:30pm", "18:30",
    "25:00", "9.5", "12:60", "utc", "UTC+2", "+05:30", "EST", "Europe/Paris", "europe/pari",
    "Paris", "new", "york", "localtime", "posix/UTC", "Etc/GMT-14", "Etc/GMT+13", "a.m.",
    ",", "(", ")", "\u00a0", "\u2028", "\u0661\u0662:\u0663\u0660", "x" * 70, "\x00",
]  # fmt: skip
word_soup = st.lists(st.sampled_from(KEYWORDS) | st.text(max_size=8), max_size=8).map(" ".join)


@FUZZ
@given(st.text() | word_soup)
def test_any_text_is_a_request_or_a_parse_error(text: str) -> None:
    outcome = _outcome(text)
    if isinstance(outcome, ParseError):
        assert outcome.message
        assert outcome.suggestions
        assert all(suggestion.startswith("digest ") for suggestion in outcome.suggestions)
        assert "Traceback" not in outcome.message
    else:
        assert outcome.kind in SUBCOMMANDS
        if isinstance(outcome, Subscribe):
            assert parse_digest_request(render_subscribe(outcome)) == outcome


def _outcome(text: str) -> DigestRequest | ParseError:
    # Anything but a ParseError propagates and fails the test.
    try:
        return parse_digest_request(text)
    except ParseError as error:
        return error


def test_times_are_whole_minutes_on_a_24_hour_clock() -> None:
    for hour in range(24):
        for minute in (0, 1, 30, 59):
            at = time(hour, minute)
            assert parse_digest_request(f"subscribe {at:%H:%M}").at == at  # type: ignore[union-attr]
    assert re.fullmatch(r"\d\d:\d\d", render_subscribe(Subscribe(at=time(7))).split()[-1])
