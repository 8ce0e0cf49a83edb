"""A tariff digest rendered three ways: a Slack message, terminal text, and JSON.

The same lines in every face: price cuts, rises, new models, retired models, then the standing
question's verdict at the week's closing prices. Prices are formatted by `pricing.money` only.
In Slack each list stops at MAX_LISTED lines, saying how many more there are; the terminal shows
them all. Everything that comes from tariffs (names, providers, sources) or from a user (watch
terms) is escaped, so a model named '<!channel>' notifies nobody.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from slack_sdk.models.blocks import Block, SectionBlock

from bot.digests.content import STANDING_QUESTION, Digest
from bot.render.blocks import (
    COMMAND,
    MAX_FALLBACK_TEXT,
    SlackMessage,
    bold_money,
    clip,
    code,
    context_block,
    fit,
    header_block,
    line_sections,
    mrkdwn,
)
from bot.render.text import DEFAULT_WIDTH, MAX_SOURCES_LISTED, wrap
from bot.slack.markup import escape

if TYPE_CHECKING:
    from bot.render.chart import ChartImage
    from bot.storage.subscriptions import Subscription
from pricing.changes import Change, ModelAdded, ModelRetired, PriceChange
from pricing.money import format_rate

TITLE = "LLM tariff digest"
MAX_LISTED = 15  # lines per list in Slack; a long week says how many more there are
MAX_NAME = 100  # characters of a model name in Slack (a user's file may hold anything)
MAX_FALLBACK_ITEMS = 10
MANAGE = f"{COMMAND} digest status"
# What a digest without a watch list leaves out (see pricing.changes.MAIN_PROVIDERS).
EVERYONE_ELSE = "The model makers' own prices; resellers and clouds only when watched"
# A real minus sign (U+2212) reads better than a hyphen before a percentage in Slack's font.
MINUS = "\u2212"
EN_DASH = "\u2013"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class _Face:
    """How one face writes the shared lines: Slack escapes and bolds, the terminal stays ASCII."""

    text: Callable[[str], str]  # text from tariffs or users, made safe
    name: Callable[[str], str]  # a model's name, emphasised
    arrow: str
    minus: str
    dash: str


SLACK = _Face(
    text=escape,
    name=lambda name: f"*{clip(escape(name), MAX_NAME)}*",
    arrow="→",
    minus=MINUS,
    dash=EN_DASH,
)
# A notification's plain text has no bold, but must be as safe as the blocks.
FALLBACK = _Face(
    text=escape,
    name=lambda name: clip(escape(name), MAX_NAME),
    arrow=SLACK.arrow,
    minus=SLACK.minus,
    dash=SLACK.dash,
)
TERMINAL = _Face(text=str, name=str, arrow="->", minus="-", dash="-")


# --- shared lines ------------------------------------------------------------------------------


def _day(day: date, with_year: bool = True) -> str:
    # Not strftime: month names would follow the process's locale.
    short = f"{day.day} {_MONTHS[day.month - 1]}"
    return f"{short} {day.year}" if with_year else short


def _first_day(digest: Digest) -> date:
    """The window is (since, until]: the first day it covers is the day after `since`."""
    return digest.since + timedelta(days=1)


def period(digest: Digest, dash: str = EN_DASH) -> str:
    """'24 Nov - 30 Nov 2026', '28 Dec 2026 - 3 Jan 2027' (an en dash in Slack), or
    '30 Nov 2026' for one day."""
    first, last = _first_day(digest), digest.until
    if first == last:
        return _day(last)
    return f"{_day(first, with_year=first.year != last.year)} {dash} {_day(last)}"


def quiet_line(digest: Digest, face: _Face = SLACK) -> str:
    first, last = _first_day(digest), digest.until
    if first == last:
        when = f"on {_day(last)}"
    else:
        when = f"from {_day(first, with_year=first.year != last.year)} to {_day(last)}"
    watching = f" for {face.text(', '.join(digest.watch))}" if digest.watch else ""
    return f"No tariff changes {when}{watching}."


def format_percent(change: PriceChange, minus: str = MINUS) -> str:
    """'-50%', '+12%', '-2.5%' (a minus sign in Slack); a rise from 0 has no percentage."""
    if change.percent is None:
        return "from zero"
    sign = minus if change.is_cut else "+"
    size = abs(change.percent)
    places = Decimal(1) if size >= 10 else Decimal("0.1")
    shown = size.quantize(places, rounding=ROUND_HALF_UP)
    if shown == 0:  # a change of a hundredth of a cent is still a change
        return f"{sign}<0.1%"
    return f"{sign}{shown.normalize():f}%"


def _who(name: str, provider: str, face: _Face) -> str:
    return f"{face.name(name)} ({face.text(provider)})" if provider else face.name(name)


_PRICE_NAMES = {
    "cache_read": "cached input",
    "cache_write": "cache write",
    "cache_write_1h": "1-hour cache write",
}
_TIER_NAMES = {"batch": "batch", "flex": "flex", "priority": "priority", "off_peak": "off-peak"}


def price_name(change: PriceChange) -> str:
    """'input', 'cached input', 'batch output': which rate changed."""
    name = _PRICE_NAMES.get(change.price, change.price)
    return name if change.tier == "standard" else f"{_TIER_NAMES[change.tier]} {name}"


def _price_line(change: PriceChange, face: _Face) -> str:
    return (
        f"{_who(change.name, change.provider, face)} {price_name(change)} "
        f"{format_rate(change.old)} {face.arrow} {format_rate(change.new)} per 1M "
        f"({format_percent(change, face.minus)}), from {change.effective.isoformat()}"
    )


def _added_line(added: ModelAdded, face: _Face) -> str:
    prices = f"{format_rate(added.input_per_mtok)} in, {format_rate(added.output_per_mtok)} out"
    if added.training_per_mtok is not None:
        prices += f", training {format_rate(added.training_per_mtok)}"
    window = f", {added.context_window:,}-token context" if added.context_window else ""
    return (
        f"{_who(added.name, added.provider, face)} {prices} per 1M{window}, "
        f"from {added.effective.isoformat()}"
    )


def _retired_line(retired: ModelRetired, face: _Face) -> str:
    return (
        f"{_who(retired.name, retired.provider, face)} retired {retired.retired.isoformat()}; "
        f"last price {format_rate(retired.input_per_mtok)} in, "
        f"{format_rate(retired.output_per_mtok)} out per 1M"
    )


def item_line(item: Change, face: _Face = SLACK) -> str:
    match item:
        case PriceChange():
            return _price_line(item, face)
        case ModelAdded():
            return _added_line(item, face)
        case ModelRetired():
            return _retired_line(item, face)
    raise AssertionError(f"unhandled change {item!r}")  # pragma: no cover


def _lists(digest: Digest) -> list[tuple[str, Sequence[Change]]]:
    changes = digest.changes
    named: list[tuple[str, Sequence[Change]]] = [
        ("Price cuts", changes.cuts),
        ("Price rises", changes.rises),
        ("New models", changes.added),
        ("Retired", changes.retired),
    ]
    return [(title, items) for title, items in named if items]


def source_name(source: str) -> str:
    """A source without its figures or address: 'OpenAI, Hello GPT-4o, 2024-05-13',
    'genai-prices 0.2.3', 'your tariffs file tariffs.toml'."""
    name = source.split(": ", 1)[0]
    for address in (" (http", ", http", " http"):
        name = name.split(address, 1)[0]
    return name.strip() or source


def source_names(digest: Digest) -> list[str]:
    """Where the changes' prices (then the standing answer's) come from, each once."""
    sources = [item.source for item in digest.changes.items()]
    if digest.standing is not None:
        sources += digest.standing.sources
    return list(dict.fromkeys(source_name(source) for source in sources))


def _sources_line(names: Sequence[str], face: _Face) -> str:
    listed = "; ".join(face.text(name) for name in names[:MAX_SOURCES_LISTED])
    more = len(names) - MAX_SOURCES_LISTED
    return f"Sources: {listed}" + (f" and {more:,} more" if more > 0 else "")


def _window_line(digest: Digest) -> str:
    return (
        f"Changes effective {_first_day(digest).isoformat()} to {digest.until.isoformat()}: "
        f"prices in force on {digest.since.isoformat()} against those on "
        f"{digest.until.isoformat()}"
    )


def _standing_verdict(digest: Digest) -> str | None:
    standing = digest.standing
    if standing is None:
        return None
    return standing.summary or standing.title


# --- Slack -------------------------------------------------------------------------------------


def _list_sections(title: str, items: Sequence[Change]) -> list[SectionBlock]:
    lines = [f"*{title}* ({len(items):,})"]
    lines += [f"• {item_line(item)}" for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        lines.append(f"…and {len(items) - MAX_LISTED:,} more")
    return line_sections(lines)


def _standing_section(digest: Digest) -> list[SectionBlock]:
    """The standing question and its verdict, as an answer shows its verdict: figures in bold."""
    verdict = _standing_verdict(digest)
    if digest.standing is None or verdict is None:
        return []
    lead = (
        f"*The standing question on {_day(digest.standing.as_of)}:* "
        f"{code(f'{COMMAND} {STANDING_QUESTION}')}"
    )
    return [SectionBlock(text=mrkdwn(f"{lead}\n{bold_money(escape(verdict))}"))]


def _footer(digest: Digest) -> Block:
    elements = [_window_line(digest)]
    if digest.watch:
        elements.append("Watching: " + ", ".join(code(term) for term in digest.watch))
    else:
        elements.append(f"{EVERYONE_ELSE} (`{COMMAND} digest watch openrouter`)")
    names = source_names(digest)
    if names:
        elements.append(_sources_line(names, SLACK))
    elements.append(f"Manage with `{MANAGE}`")
    return context_block(*elements)


def _counts(digest: Digest) -> str:
    changes = digest.changes
    counted = [
        (len(changes.cuts), "price cut", "price cuts"),
        (len(changes.rises), "price rise", "price rises"),
        (len(changes.added), "new model", "new models"),
        (len(changes.retired), "retired model", "retired models"),
    ]
    return ", ".join(
        f"{count:,} {one if count == 1 else many}" for count, one, many in counted if count
    )


def _fallback(digest: Digest) -> str:
    """For notifications: the period, the counts, the first lines, the verdict."""
    lines = [f"{TITLE}, {period(digest)}: {_counts(digest)}"]
    items = digest.changes.items()
    lines += [f"• {item_line(item, FALLBACK)}" for item in items[:MAX_FALLBACK_ITEMS]]
    if len(items) > MAX_FALLBACK_ITEMS:
        lines.append(f"…and {len(items) - MAX_FALLBACK_ITEMS:,} more")
    verdict = _standing_verdict(digest)
    if verdict is not None:
        lines.append(escape(verdict))
    return clip("\n".join(lines), MAX_FALLBACK_TEXT)


def digest_chart_file(digest: Digest) -> "ChartImage | None":
    """The week's largest price moves as a chart, or None for a week without one."""
    from bot.render.chart import drawn  # matplotlib's side: only for a week with moves
    from pricing.chart_data import digest_chart

    chart = digest_chart(digest.changes, f"{TITLE}: {period(digest)}")
    return None if chart is None else drawn(chart)


def digest_message(digest: Digest) -> SlackMessage:
    """The digest as one Slack message, within Slack's limits however long the week was."""
    if digest.is_quiet:
        line = quiet_line(digest)
        return SlackMessage(text=line, blocks=fit([SectionBlock(text=mrkdwn(line))]))
    blocks: list[Block] = [header_block(f"{TITLE}: {period(digest)}")]
    for title, items in _lists(digest):
        blocks += _list_sections(title, items)
    blocks += _standing_section(digest)
    blocks.append(_footer(digest))  # last: `fit` keeps it when it must cut
    return SlackMessage(text=_fallback(digest), blocks=fit(blocks))


WEEK_TITLE = "This week's tariff changes"


def week_blocks(digest: Digest) -> list[Block]:
    """The week's changes for the Home tab: the digest's lists, or the quiet line."""
    blocks: list[Block] = [SectionBlock(text=mrkdwn(f"*{WEEK_TITLE}* ({period(digest)})"))]
    if digest.is_quiet:
        return [*blocks, SectionBlock(text=mrkdwn(quiet_line(digest)))]
    for title, items in _lists(digest):
        blocks += _list_sections(title, items)
    return blocks


def watching(subscription: "Subscription") -> str:
    """What a subscription's digest reports, for Slack."""
    if not subscription.watch:
        return "the model makers' own prices"
    return ", ".join(f"`{escape(term)}`" for term in subscription.watch)


def subscription_blocks(subscriptions: Sequence["Subscription"]) -> list[Block]:
    """The workspace's digest subscriptions for the Home tab: channel, schedule, watch list."""
    if not subscriptions:
        line = f"No channel gets the digest yet: {code(f'{COMMAND} digest subscribe')} in one."
        return [SectionBlock(text=mrkdwn(f"*Digest subscriptions*\n{line}"))]
    lines = ["*Digest subscriptions*"]
    for subscription in subscriptions:
        paused = (
            f" _Paused: {escape(subscription.paused_reason)}_" if subscription.paused_reason else ""
        )
        lines.append(
            f"• <#{subscription.channel_id}>: {subscription.schedule.describe()}, "
            f"{watching(subscription)}.{paused}"
        )
    return [*line_sections(lines)]


# --- terminal ----------------------------------------------------------------------------------


def digest_text(digest: Digest, width: int = DEFAULT_WIDTH) -> str:
    """The digest for a terminal: every change listed, prose wrapped to `width`."""
    if digest.is_quiet:
        return quiet_line(digest, TERMINAL)
    lines = [f"{TITLE}: {period(digest, TERMINAL.dash)}"]
    for title, items in _lists(digest):
        lines += ["", f"{title} ({len(items):,})"]
        for item in items:
            lines += wrap(f"- {item_line(item, TERMINAL)}", width, indent="  ")
    verdict = _standing_verdict(digest)
    if verdict is not None and digest.standing is not None:
        lines += ["", f"The standing question on {_day(digest.standing.as_of)}:"]
        lines += wrap(verdict, width, indent="  ")
        lines += wrap(f"'llmcost {STANDING_QUESTION}' shows the whole table.", width, "  ")
    lines.append("")
    footer = [_window_line(digest) + "."]
    if digest.watch:
        footer.append(f"Watching: {', '.join(digest.watch)}.")
    else:
        footer.append(f"{EVERYONE_ELSE} (--watch openrouter).")
    names = source_names(digest)
    if names:
        footer.append(_sources_line(names, TERMINAL) + ".")
    footer.append(f"In Slack, '{COMMAND} digest subscribe' posts this to a channel every week.")
    for remark in footer:
        lines += wrap(remark, width)
    return "\n".join(lines)


# --- JSON --------------------------------------------------------------------------------------


def digest_json(digest: Digest) -> str:
    """One JSON object: the window, the watch list, every change (money as decimal strings)
    and the standing answer (null when the digest is quiet)."""
    document = {
        "since": digest.since.isoformat(),
        "until": digest.until.isoformat(),
        "watch": list(digest.watch),
        "quiet": digest.is_quiet,
        "changes": digest.changes.model_dump(mode="json", exclude={"since", "until"}),
        "standing_question": STANDING_QUESTION,
        "standing": None if digest.standing is None else digest.standing.model_dump(mode="json"),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
