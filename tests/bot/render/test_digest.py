"""A digest as a Slack message, as terminal text and as JSON: layout, Slack's limits however
long the week, escaping, and money as decimal strings."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block

from bot.digests.content import STANDING_QUESTION, Digest, compose
from bot.render.blocks import MAX_FALLBACK_TEXT, MAX_MESSAGE_BLOCKS
from bot.render.digest import (
    MAX_LISTED,
    digest_json,
    digest_message,
    digest_text,
    format_percent,
    period,
    source_name,
)
from pricing.changes import PriceChange, TariffChanges
from pricing.sources import load_book, read_tariff_file, tariffs_from_records
from pricing.tariffs import PriceEntry, Tariff, TariffBook

ROOT = Path(__file__).resolve().parents[3]
DIGEST_FILE = ROOT / "tests" / "data" / "digest_tariffs.toml"
SINCE = date(2026, 11, 23)
UNTIL = date(2026, 11, 30)
MINUS = "\N{MINUS SIGN}"


@pytest.fixture(scope="module")
def book() -> TariffBook:
    records = read_tariff_file(DIGEST_FILE.read_text(encoding="utf-8"), "digest_tariffs.toml")
    own = tariffs_from_records(records, origin="user", default_source="test file")
    return TariffBook([*own, *load_book(None, with_catalog=False).own_tariffs()])


@pytest.fixture(scope="module")
def week(book) -> Digest:
    return compose(book, since=SINCE, until=UNTIL)


def entry(day: date, inp: str, out: str, source: str = "Synthetic list, 2026") -> PriceEntry:
    return PriceEntry(
        effective=day,
        input_per_mtok=Decimal(inp),
        output_per_mtok=Decimal(out),
        source=source,
        origin="user",
    )


def synthetic_book(count: int = 3000) -> TariffBook:
    """`count` tariffs that all changed this week: cuts, rises, new and retired models, with long
    names, some of which try to notify the channel."""
    before, during = date(2026, 1, 1), date(2026, 11, 26)
    tariffs = []
    for number in range(count):
        name = f"Model {number} " + ("<!channel> " if number % 7 == 0 else "") + "x" * 60
        kind = number % 6
        if kind in (0, 1):  # cut
            entries = (entry(before, "10", "20"), entry(during, str(1 + number % 9), "20"))
        elif kind in (2, 3):  # rise
            entries = (entry(before, "1", "2"), entry(during, str(2 + number % 9), "2"))
        elif kind == 4:  # new
            entries = (entry(during, "1", "2", source=f"Launch {number} <!here>"),)
        else:  # retired
            entries = (entry(before, "1", "2"),)
        tariffs.append(
            Tariff(
                model=f"m{number}",
                provider=f"p{number % 40}",
                name=name,
                retired=during if kind == 5 else None,
                entries=entries,
            )
        )
    return TariffBook(tariffs)


def assert_within_slack_limits(blocks: list[dict]) -> None:
    assert 0 < len(blocks) <= MAX_MESSAGE_BLOCKS
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()  # slack_sdk's own checks
        match block["type"]:
            case "header":
                assert len(block["text"]["text"]) <= 150
            case "section":
                assert len(block["text"]["text"]) <= 3000
            case "context":
                assert 0 < len(block["elements"]) <= 10
                assert all(len(element["text"]) <= 3000 for element in block["elements"])


def assert_no_markup(message) -> None:
    """We write no mentions, broadcasts or links into a digest: any '<…>' came from a tariff."""
    dump = json.dumps(message.model_dump())
    assert re.findall(r"<[^<>]*>", dump) == []


def section_texts(blocks: list[dict]) -> list[str]:
    return [block["text"]["text"] for block in blocks if block["type"] == "section"]


# --- Slack --------------------------------------------------------------------------------------


def test_the_header_names_the_days_covered(week):
    message = digest_message(week)

    assert message.blocks[0]["type"] == "header"
    # The window is (23 Nov, 30 Nov]: its first day is the 24th.
    assert message.blocks[0]["text"]["text"] == "LLM tariff digest: 24 Nov \N{EN DASH} 30 Nov 2026"


def test_each_list_has_a_title_and_one_line_per_change(week):
    sections = section_texts(digest_message(week).blocks)
    cuts = next(text for text in sections if text.startswith("*Price cuts*"))

    assert (
        f"• *Cutter* (acme) input $10 → $5 per 1M ({MINUS}50%), from 2026-11-25"
        in cuts.splitlines()
    )
    assert f"• *Netter* (beta) input $4 → $3 per 1M ({MINUS}25%), from 2026-11-28" in cuts
    assert f"• *Trainee* (acme) training $8 → $6 per 1M ({MINUS}25%), from 2026-11-25" in cuts
    rises = next(text for text in sections if text.startswith("*Price rises*"))
    assert "• *Riser* (acme) input $1 → $1.50 per 1M (+50%), from 2026-11-27" in rises
    assert "• *Freebie* (beta) output $0 → $1 per 1M (from zero), from 2026-11-26" in rises
    added = next(text for text in sections if text.startswith("*New models*"))
    assert (
        "• *Newbie* (acme) $0.50 in, $2 out, training $3 per 1M, 32,000-token context, "
        "from 2026-11-26" in added
    )
    retired = next(text for text in sections if text.startswith("*Retired*"))
    assert "• *Oldie* (beta) retired 2026-11-27; last price $2 in, $4 out per 1M" in retired


def test_lists_come_in_order_then_the_standing_view_then_the_footer(week):
    blocks = digest_message(week).blocks
    titles = [text.split("*")[1] for text in section_texts(blocks)]

    assert titles[:4] == ["Price cuts", "Price rises", "New models", "Retired"]
    standing = section_texts(blocks)[-1]
    assert STANDING_QUESTION in standing
    assert "30 Nov 2026" in standing
    assert "*$1.40*" in standing  # the verdict's figures in bold, as answers show them
    footer = blocks[-1]
    assert footer["type"] == "context"
    footer_text = " ".join(element["text"] for element in footer["elements"])
    assert "2026-11-24 to 2026-11-30" in footer_text
    assert "Sources: Acme price list, 2026-11-25" in footer_text
    assert "http" not in footer_text  # names only
    assert "Manage with `/llmcost digest status`" in footer_text


def test_the_footer_names_the_watch_list(book):
    digest = compose(book, since=SINCE, until=UNTIL, watch=("acme", "oldie"))
    footer = digest_message(digest).blocks[-1]

    assert "Watching: `acme`, `oldie`" in [element["text"] for element in footer["elements"]]


def test_a_quiet_digest_is_one_line(book):
    digest = compose(book, since=SINCE, until=UNTIL, watch=("openai", "gpt-4o"))
    message = digest_message(digest)

    assert digest.is_quiet
    line = "No tariff changes from 24 Nov to 30 Nov 2026 for openai, gpt-4o."
    assert message.blocks == [
        {"type": "section", "text": {"type": "mrkdwn", "text": line, "verbatim": True}}
    ]
    assert message.text == line
    assert digest_text(digest) == line


def test_a_quiet_digest_of_everything_names_no_watch_list():
    digest = compose(TariffBook([]), since=SINCE, until=UNTIL)

    assert digest_message(digest).text == "No tariff changes from 24 Nov to 30 Nov 2026."


@pytest.mark.parametrize(
    ("since", "until", "shown"),
    [
        (date(2026, 11, 23), date(2026, 11, 30), "24 Nov \N{EN DASH} 30 Nov 2026"),
        (date(2026, 12, 28), date(2027, 1, 4), "29 Dec 2026 \N{EN DASH} 4 Jan 2027"),
        (date(2026, 11, 29), date(2026, 11, 30), "30 Nov 2026"),
    ],
)
def test_period(since, until, shown):
    digest = Digest(changes=TariffChanges(since=since, until=until), standing=None, watch=())

    assert period(digest) == shown


def change(percent: str | None, old: str = "1", new: str = "2") -> PriceChange:
    return PriceChange(
        model="m",
        name="M",
        provider="p",
        price="input",
        old=Decimal(old),
        new=Decimal(new),
        percent=None if percent is None else Decimal(percent),
        effective=UNTIL,
        source="s",
    )


@pytest.mark.parametrize(
    ("item", "shown"),
    [
        (change("-50.00", "2", "1"), f"{MINUS}50%"),
        (change("-33.33", "3", "2"), f"{MINUS}33%"),
        (change("2.86"), "+2.9%"),
        (change("1400.00"), "+1400%"),
        (change("0.00", "1000", "1000.01"), "+<0.1%"),
        (change(None, "0", "1"), "from zero"),
    ],
)
def test_format_percent(item, shown):
    assert format_percent(item) == shown


def test_source_names_leave_out_figures_and_addresses():
    assert source_name("OpenAI, Hello GPT-4o, 2024-05-13: $5/1M input (https://x.y/)") == (
        "OpenAI, Hello GPT-4o, 2024-05-13"
    )
    assert source_name("genai-prices 0.2.3: OpenRouter, https://openrouter.ai/models") == (
        "genai-prices 0.2.3"
    )
    assert source_name("your tariffs file t.toml") == "your tariffs file t.toml"


# --- however long the week ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def huge() -> Digest:
    return compose(synthetic_book(), since=SINCE, until=UNTIL)


def test_three_thousand_changes_fit_slacks_limits(huge):
    message = digest_message(huge)

    assert huge.changes.count == 3000
    assert_within_slack_limits(message.blocks)
    assert len(message.text) <= MAX_FALLBACK_TEXT
    assert message.blocks[-1]["type"] == "context"  # the footer survives


def test_each_list_is_cut_saying_how_many_are_left_out(huge):
    sections = section_texts(digest_message(huge).blocks)
    changes = huge.changes

    for title, items in [
        ("Price cuts", changes.cuts),
        ("Price rises", changes.rises),
        ("New models", changes.added),
        ("Retired", changes.retired),
    ]:
        text = "\n".join(s for s in sections if s.startswith(f"*{title}*"))
        assert f"*{title}* ({len(items):,})" in text
        assert text.count("\n• ") == MAX_LISTED
        assert text.endswith(f"…and {len(items) - MAX_LISTED:,} more")


def test_names_and_sources_from_tariffs_cannot_notify(huge):
    message = digest_message(huge)

    assert_no_markup(message)
    assert "&lt;!channel&gt;" in json.dumps(message.blocks)
    assert "&lt;!channel&gt;" in message.text


def test_a_model_named_like_a_broadcast_is_escaped_everywhere():
    evil = Tariff(
        model="evil",
        provider="<!here>",
        name="<!channel> & <@U123>",
        entries=(entry(date(2026, 11, 26), "1", "2", source="<!everyone> (https://x.y)"),),
    )
    digest = compose(TariffBook([evil]), since=SINCE, until=UNTIL)
    message = digest_message(digest)

    assert_no_markup(message)
    assert "*&lt;!channel&gt; &amp; &lt;@U123&gt;* (&lt;!here&gt;)" in json.dumps(message.blocks)
    assert "&lt;!everyone&gt;" in json.dumps(message.blocks)  # in the sources


def test_a_huge_name_is_clipped_not_the_message():
    huge_name = Tariff(
        model="long",
        provider="acme",
        name="Long " * 2000,
        entries=(entry(date(2026, 1, 1), "2", "2"), entry(date(2026, 11, 26), "1", "2")),
    )
    message = digest_message(compose(TariffBook([huge_name]), since=SINCE, until=UNTIL))

    assert_within_slack_limits(message.blocks)
    cuts = section_texts(message.blocks)[0]
    assert "…*" in cuts  # the name ends in '…', still in bold
    assert f"input $2 → $1 per 1M ({MINUS}50%)" in cuts


def test_the_terminal_lists_every_change(huge):
    text = digest_text(huge)

    assert "…and" not in text
    for item in huge.changes.items():
        assert f"Model {item.model[1:]} " in text
    assert "<!channel>" in text  # a terminal shows names as they are


# --- terminal -----------------------------------------------------------------------------------


def test_terminal_text_has_the_same_lines_in_ascii(week):
    text = digest_text(week, width=100)
    lines = text.splitlines()

    assert lines[0] == "LLM tariff digest: 24 Nov - 30 Nov 2026"
    assert "  - Cutter (acme) input $10 -> $5 per 1M (-50%), from 2026-11-25" in lines
    assert any(line.startswith("Price cuts (") for line in lines)
    assert "The standing question on 30 Nov 2026:" in lines
    assert f"'llmcost {STANDING_QUESTION}'" in text
    assert all(len(line) <= 100 for line in lines)
    assert text.isascii()


# --- JSON ---------------------------------------------------------------------------------------


def test_json_has_the_window_the_changes_and_the_standing_answer(book):
    digest = compose(book, since=SINCE, until=UNTIL, watch=("acme",))
    document = json.loads(digest_json(digest))

    assert document["since"] == "2026-11-23"
    assert document["until"] == "2026-11-30"
    assert document["watch"] == ["acme"]
    assert document["quiet"] is False
    assert document["standing_question"] == STANDING_QUESTION
    assert document["standing"]["kind"] == "compare"
    cut = next(c for c in document["changes"]["cuts"] if c["model"] == "cutter")
    assert (cut["old"], cut["new"], cut["percent"]) == ("10", "5", "-50")


def test_json_money_round_trips_as_decimal_strings(week):
    document = json.loads(digest_json(week))
    changes = document["changes"]

    for item in [*changes["cuts"], *changes["rises"]]:
        for key in ("old", "new"):
            assert isinstance(item[key], str)
            Decimal(item[key])
    restored = TariffChanges.model_validate(
        {**changes, "since": document["since"], "until": document["until"]}
    )
    assert restored == week.changes


def test_json_of_a_quiet_digest():
    digest = compose(TariffBook([]), since=SINCE, until=SINCE + timedelta(days=7))
    document = json.loads(digest_json(digest))

    assert document["quiet"] is True
    assert document["standing"] is None
    assert document["changes"] == {"cuts": [], "rises": [], "added": [], "retired": []}
