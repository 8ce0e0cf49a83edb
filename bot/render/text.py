"""Answers for a terminal: an aligned table, the totals, then the assumptions and sources."""

import re
import shlex
import textwrap
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pricing.answers import (
    Answer,
    BreakevenAnswer,
    BudgetAnswer,
    BudgetRow,
    FinetuneAnswer,
    FinetuneFileAnswer,
    HelpAnswer,
    LifecycleAnswer,
    PricedAnswer,
    PricedRow,
    TableAnswer,
    TariffRow,
    TokensAnswer,
)
from pricing.money import footed, format_rate, format_usd, places_of
from pricing.quantities import counted

MAX_SOURCES_LISTED = 5
DEFAULT_WIDTH = 100


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], text_columns: Collection[int] = (0,)
) -> str:
    """Figures are right-aligned; the `text_columns` (names) are left-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(width) if index in text_columns else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


@dataclass(frozen=True)
class Grid:
    """A table's cells, formatted once for every face (terminal, Slack): the header cells, the
    rows, and which columns hold text (names, left-aligned); the others hold figures."""

    headers: list[str]
    rows: list[list[str]]
    text_columns: tuple[int, ...] = (0,)

    def render(self) -> str:
        return table(self.headers, self.rows, self.text_columns)


def _optional_rate(rate: Decimal | None) -> str:
    return format_rate(rate) if rate is not None else "-"


def _since(day: date | None) -> str:
    return day.isoformat() if day else "undated"


def _window(tokens: int | None) -> str:
    return f"{tokens:,}" if tokens else "?"


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Prose wrapped to the terminal; continuation lines indented under their first."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ")


def _footer(answer: Answer, width: int, rows: Sequence[PricedRow | BudgetRow] = ()) -> list[str]:
    remarks = [answer.summary] if answer.summary else []
    remarks += answer.notes
    for row in rows:
        remarks += [f"! {row.model}: {warning}" for warning in row.warnings]
    lines = [""] if remarks else []
    for remark in remarks:
        lines += wrap(remark, width)
    sources = answer.sources
    if len(sources) > MAX_SOURCES_LISTED:
        lines += [""]
        lines += wrap(
            f"Prices in force on {answer.as_of.isoformat()}, from {len(sources)} sources; "
            "'history <model>' shows each one (--json lists them all).",
            width,
        )
    elif sources:
        when = (
            "" if answer.kind == "history" else f"Prices in force on {answer.as_of.isoformat()}. "
        )
        lines += ["", f"{when}Sources:"]
        for source in sources:
            lines += wrap(f"- {source}", width, indent="  ")
    return lines + read_as_lines(answer, width)


def read_as_lines(answer: Answer, width: int) -> list[str]:
    """The question as llmcost read it, last: the words to paste to ask it again."""
    line = answer.read_as_line
    return ["", *wrap(line, width)] if line else []


def _usd_column(amounts: Sequence[Decimal]) -> list[str]:
    """Each amount with its own digits: the same amount reads the same in every answer."""
    return [format_usd(amount) for amount in amounts]


def footed_cells(parts: Sequence[Decimal], total: Decimal) -> list[str]:
    """The parts of a total and the total, as displayed: the parts add up to the total."""
    shown, shown_total = footed(parts, total)
    places = places_of(shown_total)
    return [format_usd(amount, places) for amount in (*shown, shown_total)]


def _columns(*columns: Sequence[str]) -> list[list[str]]:
    return [list(cells) for cells in zip(*columns, strict=True)]


def priced_grid(answer: PricedAnswer) -> Grid:
    """compare, cost and cheapest: what each model costs, input, output and total."""
    per_request = answer.usage.requests is not None
    priced = answer.rows
    fees = any(row.request_fee for row in priced)
    headers = ["Model", "In $/1M", "Out $/1M", "Input tok", "Output tok", "Input", "Output"]
    headers += ["Fees"] if fees else []
    headers += ["Per request", "Total"] if per_request else ["Total"]
    rows = []
    for row in priced:
        parts = [row.input_usd, row.output_usd]
        parts += [row.request_fee.usd if row.request_fee else Decimal(0)] if fees else []
        *money, total = footed_cells(parts, row.total_usd)
        each = [format_usd(row.per_request_usd or Decimal(0))] if per_request else []
        rows.append(
            [
                row.model,
                format_rate(row.input_per_mtok),
                format_rate(row.output_per_mtok),
                f"{row.input_tokens:,}",
                f"{row.output_tokens:,}",
                *money,
                *each,
                total,
            ]
        )
    return Grid(headers, rows)


_PART_NAMES = {
    "input": "input",
    "cache_read": "cache reads",
    "cache_write": "cache writes",
    "cache_write_1h": "1-hour cache writes",
    "output": "output",
}
_TIER_NAMES = {"batch": "batch", "flex": "flex", "priority": "priority", "off_peak": "off-peak"}


def breakdown_lines(rows: Sequence[PricedRow]) -> list[str]:
    """Each row's cost per dimension, only for rows where one applies beyond input and output
    at the standard rate (cache reads or writes, a batch or other tier, a request fee)."""
    lines = []
    for row in rows:
        plain = all(p.kind in ("input", "output") for p in row.parts)
        if row.tier == "standard" and plain and row.request_fee is None:
            continue
        fee = row.request_fee
        amounts = [part.usd for part in row.parts] + ([fee.usd] if fee else [])
        *shown, _total = footed_cells(amounts, row.total_usd)
        described = [
            f"{part.tokens:,} {_PART_NAMES[part.kind]} at {format_rate(part.per_mtok)} = {usd}"
            for part, usd in zip(row.parts, shown, strict=False)
        ]
        if fee is not None:
            described.append(
                f"{fee.requests:,} requests at {format_rate(fee.per_k_requests)} per 1,000 = "
                f"{shown[-1]}"
            )
        parts = "; ".join(described)
        tier = f" ({_TIER_NAMES[row.tier]} rates)" if row.tier != "standard" else ""
        lines.append(f"{row.model}{tier}: {parts}")
    return lines


def _priced(answer: PricedAnswer, width: int) -> str:
    grid = priced_grid(answer)
    body = [f"{answer.title} (prices as of {answer.as_of.isoformat()})"]
    if grid.rows:
        body += ["", grid.render()]
    breakdown = breakdown_lines(answer.rows)
    if breakdown:
        body += ["", "Breakdown:"]
        for line in breakdown:
            body += wrap(line, width, indent="  ")
    return "\n".join(body + _footer(answer, width, answer.rows))


def finetune_facts(answer: FinetuneAnswer) -> dict[str, str]:
    """Training tokens x epochs = tokens trained, at the training price: the training cost."""
    return {
        "Training tokens": f"{answer.training_tokens:,}",
        "Epochs": str(answer.epochs),
        "Tokens trained": f"{answer.trained_tokens:,}",
        "Training price": f"{format_rate(answer.training_per_mtok)} per 1M tokens",
        "Training cost": format_usd(answer.training_usd),
    }


def _finetune(answer: FinetuneAnswer, width: int) -> str:
    facts = finetune_facts(answer)
    label_width = max(map(len, facts))
    body = [f"{answer.title} (prices as of {answer.as_of.isoformat()})", ""]
    body += [f"{label.ljust(label_width)}  {value}" for label, value in facts.items()]
    return "\n".join(body + _footer(answer, width))


def finetune_file_facts(answer: FinetuneFileAnswer) -> dict[str, str]:
    """What the training file holds, before the table of what it costs."""
    stats = answer.tokens
    facts = {
        "Format": answer.format_name,
        "Examples": f"{answer.examples:,}"
        + (f" ({answer.invalid:,} invalid, left out)" if answer.invalid else ""),
        f"Tokens ({stats.encoding})": (
            f"{stats.total:,} total; min {stats.min:,}, mean {stats.mean:,.1f}, "
            f"median {stats.median:,.1f}, p90 {stats.p90:,.1f}, max {stats.max:,}"
        ),
        "Epochs": f"{answer.epochs} ({answer.epochs_rule})",
    }
    if answer.validation_examples is not None:
        facts["Validation"] = (
            f"{counted(answer.validation_examples, 'example')}, "
            f"{counted(answer.validation_tokens or 0, 'token')}"
        )
    if answer.vs is not None and answer.vs_request_usd is not None:
        facts["Versus"] = (
            f"{answer.vs} with a {answer.vs_prompt or 0:,}-token prompt: "
            f"{format_usd(answer.vs_request_usd)} a request"
        )
    return facts


def finetune_file_grid(answer: FinetuneFileAnswer) -> Grid:
    """Each fine-tunable model: its training rate, cap, tokens trained, training cost and one
    typical request on the tuned model (and the requests to break even, when asked)."""
    headers = ["Model", "Train $/1M", "Cap", "Over", "Tokens trained", "Training", "Request"]
    rows = answer.rows
    columns = [
        [row.model + ("*" if row.estimated_tokens else "") for row in rows],
        [format_rate(row.training_per_mtok) for row in rows],
        [f"{row.cap:,}" if row.cap else "-" for row in rows],
        [f"{row.over_cap:,}" for row in rows],
        [f"{row.trained_tokens:,}" for row in rows],
        [format_usd(row.training_usd) if row.training_usd is not None else "n/a" for row in rows],
        [format_usd(row.request_usd) for row in rows],
    ]
    if answer.vs is not None:
        headers.append("Break-even")
        columns.append(
            [
                f"{row.breakeven_requests:,}" if row.breakeven_requests is not None else "never"
                for row in rows
            ]
        )
    return Grid(headers, _columns(*columns))


def finetune_file_remarks(answer: FinetuneFileAnswer) -> list[str]:
    """The rows' warnings, each once with the models it applies to; then the file's errors."""
    by_warning: dict[str, list[str]] = {}
    for row in answer.rows:
        for warning in row.warnings:
            by_warning.setdefault(warning, []).append(row.model)
    remarks = [f"! {', '.join(models)}: {warning}" for warning, models in by_warning.items()]
    if any(row.estimated_tokens for row in answer.rows):
        remarks.append("* tokens estimated with an OpenAI encoding.")
    if answer.errors:
        remarks.append("Invalid lines (the first of each kind):")
    for error in answer.errors:
        remarks.append(f"  line {error.line}: {error.message}")
    hidden = answer.invalid - len({error.line for error in answer.errors})
    if hidden > 0:
        remarks.append(f"... and {hidden:,} more invalid lines.")
    remarks += [f"Not priced per token: {line}" for line in answer.not_priced]
    return remarks


def _finetune_file(answer: FinetuneFileAnswer, width: int) -> str:
    facts = finetune_file_facts(answer)
    label_width = max(map(len, facts))
    body = [f"{answer.title} (prices as of {answer.as_of.isoformat()})", ""]
    body += [f"{label.ljust(label_width)}  {value}" for label, value in facts.items()]
    grid = finetune_file_grid(answer)
    if grid.rows:
        body += ["", grid.render()]
    footer = _footer(answer, width)
    remarks = [line for remark in finetune_file_remarks(answer) for line in wrap(remark, width)]
    # The verdict first, then what applies to the rows, then the notes and sources.
    summary = wrap(answer.summary, width) if answer.summary else []
    return "\n".join([*body, "", *summary, *remarks, *footer[1 + len(summary) :]])


def breakeven_grid(answer: BreakevenAnswer) -> Grid:
    """What one request costs on the fine-tuned model and on the base model."""
    headers = ["One request", "Prompt tok", "Output tok", "Input", "Output", "Total"]
    pair = answer.rows
    rows = [
        [
            row.model,
            f"{row.input_tokens:,}",
            f"{row.output_tokens:,}",
            *footed_cells([row.input_usd, row.output_usd], row.total_usd),
        ]
        for row in pair
    ]
    return Grid(headers, rows)


def breakeven_training(answer: BreakevenAnswer) -> str:
    return (
        f"Training: {answer.training_tokens:,} tokens x {answer.epochs} epochs = "
        f"{format_usd(answer.training_usd)}"
    )


def _breakeven(answer: BreakevenAnswer, width: int) -> str:
    body = [
        f"{answer.title} (prices as of {answer.as_of.isoformat()})",
        "",
        breakeven_grid(answer).render(),
        "",
        breakeven_training(answer),
    ]
    return "\n".join(body + _footer(answer, width, answer.rows))


def token_counts_grid(answer: TokensAnswer) -> Grid:
    """How many tokens the text is in each encoding."""
    return Grid(
        ["Encoding", "Tokens", "Used by"],
        [[c.encoding, f"{c.tokens:,}", c.used_by] for c in answer.counts],
        text_columns=(0, 2),
    )


def token_costs_grid(answer: TokensAnswer) -> Grid:
    """What sending the text once as input costs on each model."""
    return Grid(
        ["Model", "Tokens", "In $/1M", "Cost as input"],
        _columns(
            [r.model for r in answer.rows],
            [f"{r.input_tokens:,}" for r in answer.rows],
            [format_rate(r.input_per_mtok) for r in answer.rows],
            _usd_column([r.input_usd for r in answer.rows]),
        ),
    )


def _tokens(answer: TokensAnswer, width: int) -> str:
    counts = token_counts_grid(answer).render()
    costs = token_costs_grid(answer).render()
    body = [answer.title, "", counts, "", costs]
    return "\n".join(body + _footer(answer, width, answer.rows))


def _whole(count: int | None) -> str:
    return f"{count:,}" if count is not None else "-"


def budget_grid(answer: BudgetAnswer) -> Grid:
    """What the budget buys on each model: requests of the size asked (or tokens), for the
    period and for a day."""
    rows = answer.rows
    counts = "Requests" if answer.request is not None else "Tokens"
    headers = ["Model", "In $/1M", "Out $/1M"]
    columns = [
        [row.model for row in rows],
        [format_rate(row.input_per_mtok) for row in rows],
        [format_rate(row.output_per_mtok) for row in rows],
    ]
    if answer.request is not None:
        headers.append("Per request")
        prices = [row.per_request_usd for row in rows]
        columns.append([format_usd(p) if p is not None else "-" for p in prices])
    per_period = answer.period is not None and answer.period != "day"
    headers.append(f"{counts} a {answer.period}" if answer.period else counts)
    if answer.request is not None:
        columns.append([_whole(row.requests) for row in rows])
        if per_period:
            headers.append("A day")
            columns.append([_whole(row.requests_per_day) for row in rows])
    else:
        columns.append([_whole(row.tokens) for row in rows])
        if per_period:
            headers.append("A day")
            columns.append([_whole(row.tokens_per_day) for row in rows])
    return Grid(headers, _columns(*columns))


def _budget(answer: BudgetAnswer, width: int) -> str:
    grid = budget_grid(answer)
    body = [f"{answer.title} (prices as of {answer.as_of.isoformat()})"]
    if grid.rows:
        body += ["", grid.render()]
    return "\n".join(body + _footer(answer, width, answer.rows))


# Dated snapshot names ("gpt-4-0613", "gpt-4o-2024-08-06") are ids, not the names people use.
_SNAPSHOT = re.compile(r"-\d{4}(-|$)")


def _model_cell(row: TariffRow, as_of: date) -> str:
    """The id, the friendlier name people type ('gpt-4 (gpt-4-8k)'), and whether it still runs."""
    # The first alias that says more than the id (a catalog's "provider/model" ends in its alias).
    alias = next(
        (a for a in row.aliases if not row.model.endswith(a) and not _SNAPSHOT.search(a)), None
    )
    cell = f"{row.model} ({alias})" if alias else row.model
    return f"{cell} [shut down]" if row.retired is not None and row.retired <= as_of else cell


def tariff_grid(answer: TableAnswer) -> Grid:
    """models, price and history: each tariff row's prices per million tokens."""
    headers = ["Model", "Provider", "Context", "In $/1M", "Out $/1M", "Train $/1M", "Since"]
    rows = [
        [
            _model_cell(row, answer.as_of),
            row.provider,
            _window(row.context_window),
            format_rate(row.input_per_mtok),
            format_rate(row.output_per_mtok),
            _optional_rate(row.training_per_mtok),
            _since(row.effective),
        ]
        for row in answer.rows
    ]
    return Grid(headers, rows, text_columns=(0, 1))


_RATE_NAMES = {
    "input": "in",
    "output": "out",
    "cache_read": "cached input",
    "cache_write": "cache write",
    "cache_write_1h": "1-hour cache write",
}
MAX_RATE_LINES = 10


def rate_lines(answer: TableAnswer) -> list[str]:
    """The rates beyond input and output, for the rows that have them: 'gpt-4o: cached input
    $1.25; batch in $1.25, out $5' (a history row is named by its date)."""
    lines = []
    for row in answer.rows:
        if not row.rates:
            continue
        groups: dict[str, list[str]] = {}
        for rate in row.rates:
            tier = _TIER_NAMES.get(rate.tier, rate.tier)
            if rate.hours:
                tier += f" ({' and '.join(rate.hours)} UTC)"
            if rate.since is not None:
                tier += f" (from {rate.since.isoformat()})"
            groups.setdefault(tier, []).append(
                f"{_RATE_NAMES[rate.kind]} {format_rate(rate.per_mtok)}"
            )
        said = [
            ", ".join(rates) if tier == "standard" else f"{tier} {', '.join(rates)}"
            for tier, rates in groups.items()
        ]
        label = _since(row.effective) if answer.kind == "history" else row.model
        lines.append(f"{label}: {'; '.join(said)}")
    if len(lines) > MAX_RATE_LINES:
        more = len(lines) - MAX_RATE_LINES
        lines = [*lines[:MAX_RATE_LINES], f"... and {more} more (--json lists every rate)"]
    return lines


def _table(answer: TableAnswer, width: int) -> str:
    grid = tariff_grid(answer)
    heading = answer.title
    if answer.kind != "history":
        heading += f" (as of {answer.as_of.isoformat()})"
    body = [heading, ""]
    if grid.rows:
        body.append(grid.render())
    extra = rate_lines(answer)
    if extra:
        body += ["", "Other rates per 1M tokens:"]
        for line in extra:
            body += wrap(line, width, indent="  ")
    return "\n".join(body + _footer(answer, width))


_SHELL_SPECIAL = set("<>|&;?*$`'\"()[]{}!#~")


def for_shell(question: str) -> str:
    """Quoted when a shell would mangle it: '->' would redirect into a file named '200'."""
    return shlex.quote(question) if _SHELL_SPECIAL & set(question) else question


OPTIONS_LINE = (
    "Options: --json (one JSON object), --at YYYY-MM-DD (prices on that date), "
    "--tariffs FILE (your own tariffs), -V/--version, -h/--help."
)


def _help(answer: HelpAnswer, width: int) -> str:
    lines = [answer.title, ""]
    for line in answer.lines:
        lines += wrap(line, width, indent="  ")
    lines += ["", "Examples:"]
    lines += [f"  llmcost {for_shell(example)}" for example in answer.examples]
    if answer.topic is None:
        lines += ["", *wrap(OPTIONS_LINE, width)]
    return "\n".join(lines + read_as_lines(answer, width))


def lifecycle_grid(answer: LifecycleAnswer) -> Grid:
    """lifecycle: each model's release, shutdown and substitute."""
    headers = ["Model", "Provider", "Released", "Status", "Announced", "Substitute"]
    rows = [
        [
            row.model,
            row.provider,
            _since(row.released),
            row.status,
            row.announced.isoformat() if row.announced else "-",
            row.substitute or "-",
        ]
        for row in answer.rows
    ]
    return Grid(headers, rows, text_columns=(0, 1, 3, 5))


def _lifecycle(answer: LifecycleAnswer, width: int) -> str:
    body = [answer.title, ""]
    grid = lifecycle_grid(answer)
    if grid.rows:
        body.append(grid.render())
    training = [f"{row.model}: {row.fine_tuning}." for row in answer.rows if row.fine_tuning]
    for line in training:
        body += wrap(line, width)
    return "\n".join(body + _footer(answer, width))


def answer_grid(answer: Answer) -> Grid | None:
    """The one table an answer is about (a tokens answer's costs, not its counts); None for
    the answers without one (finetune, help)."""
    match answer:
        case PricedAnswer():
            return priced_grid(answer)
        case BreakevenAnswer():
            return breakeven_grid(answer)
        case FinetuneFileAnswer():
            return finetune_file_grid(answer)
        case TokensAnswer():
            return token_costs_grid(answer)
        case TableAnswer():
            return tariff_grid(answer)
        case BudgetAnswer():
            return budget_grid(answer)
        case LifecycleAnswer():
            return lifecycle_grid(answer)
    return None


def render_text(answer: Answer, width: int = DEFAULT_WIDTH) -> str:
    """The answer for a terminal `width` columns wide (prose wraps; table rows stay whole)."""
    match answer:
        case PricedAnswer():
            return _priced(answer, width)
        case FinetuneAnswer():
            return _finetune(answer, width)
        case FinetuneFileAnswer():
            return _finetune_file(answer, width)
        case BreakevenAnswer():
            return _breakeven(answer, width)
        case TokensAnswer():
            return _tokens(answer, width)
        case TableAnswer():
            return _table(answer, width)
        case BudgetAnswer():
            return _budget(answer, width)
        case LifecycleAnswer():
            return _lifecycle(answer, width)
        case HelpAnswer():
            return _help(answer, width)
    raise AssertionError(f"unhandled answer {answer!r}")  # pragma: no cover
