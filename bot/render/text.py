"""Answers for a terminal: an aligned table, the totals, then the assumptions and sources."""

import shlex
from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal

from pricing.answer import (
    Answer,
    BreakevenAnswer,
    FinetuneAnswer,
    HelpAnswer,
    PricedAnswer,
    PricedRow,
    TableAnswer,
    TokensAnswer,
)
from pricing.money import format_rate, format_usd

MAX_SOURCES_LISTED = 5


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


def _optional_rate(rate: Decimal | None) -> str:
    return format_rate(rate) if rate is not None else "-"


def _since(day: date | None) -> str:
    return day.isoformat() if day else "undated"


def _window(tokens: int | None) -> str:
    return f"{tokens:,}" if tokens else "?"


def _footer(answer: Answer, rows: Sequence[PricedRow] = ()) -> list[str]:
    remarks = [answer.summary] if answer.summary else []
    remarks += answer.notes
    for row in rows:
        remarks += [f"! {row.model}: {warning}" for warning in row.warnings]
    lines = ["", *remarks] if remarks else []
    sources = answer.sources
    if len(sources) > MAX_SOURCES_LISTED:
        lines += [
            "",
            f"Prices in force on {answer.as_of.isoformat()}, from {len(sources)} sources; "
            "'history <model>' shows each one (--json lists them all).",
        ]
    elif sources:
        when = (
            "" if answer.kind == "history" else f"Prices in force on {answer.as_of.isoformat()}. "
        )
        lines += ["", f"{when}Sources:"]
        lines += [f"  - {source}" for source in sources]
    return lines


def _priced(answer: PricedAnswer) -> str:
    per_request = answer.usage.requests is not None
    headers = ["Model", "In $/1M", "Out $/1M", "Input tok", "Output tok", "Input", "Output"]
    headers += ["Per request", "Total"] if per_request else ["Total"]
    rows = []
    for row in answer.rows:
        cells = [
            row.model,
            format_rate(row.input_per_mtok),
            format_rate(row.output_per_mtok),
            f"{row.input_tokens:,}",
            f"{row.output_tokens:,}",
            format_usd(row.input_usd),
            format_usd(row.output_usd),
        ]
        if per_request:
            cells.append(format_usd(row.per_request_usd or Decimal(0)))
        cells.append(format_usd(row.total_usd))
        rows.append(cells)
    body = [f"{answer.title} (prices as of {answer.as_of.isoformat()})"]
    if rows:
        body += ["", table(headers, rows)]
    return "\n".join(body + _footer(answer, answer.rows))


def _finetune(answer: FinetuneAnswer) -> str:
    facts = {
        "Training tokens": f"{answer.training_tokens:,}",
        "Epochs": str(answer.epochs),
        "Tokens trained": f"{answer.trained_tokens:,}",
        "Training price": f"{format_rate(answer.training_per_mtok)} per 1M tokens",
        "Training cost": format_usd(answer.training_usd),
    }
    width = max(map(len, facts))
    body = [f"{answer.title} (prices as of {answer.as_of.isoformat()})", ""]
    body += [f"{label.ljust(width)}  {value}" for label, value in facts.items()]
    return "\n".join(body + _footer(answer))


def _breakeven(answer: BreakevenAnswer) -> str:
    headers = ["One request", "Prompt tok", "Output tok", "Input", "Output", "Total"]
    rows = [
        [
            row.model,
            f"{row.input_tokens:,}",
            f"{row.output_tokens:,}",
            format_usd(row.input_usd),
            format_usd(row.output_usd),
            format_usd(row.total_usd),
        ]
        for row in answer.rows
    ]
    training = (
        f"Training: {answer.training_tokens:,} tokens x {answer.epochs} epochs = "
        f"{format_usd(answer.training_usd)}"
    )
    body = [
        f"{answer.title} (prices as of {answer.as_of.isoformat()})",
        "",
        table(headers, rows),
        "",
        training,
    ]
    return "\n".join(body + _footer(answer, answer.rows))


def _tokens(answer: TokensAnswer) -> str:
    counts = table(
        ["Encoding", "Tokens", "Used by"],
        [[c.encoding, f"{c.tokens:,}", c.used_by] for c in answer.counts],
        text_columns=(0, 2),
    )
    costs = table(
        ["Model", "Tokens", "In $/1M", "Cost as input"],
        [
            [r.model, f"{r.input_tokens:,}", format_rate(r.input_per_mtok), format_usd(r.input_usd)]
            for r in answer.rows
        ],
    )
    body = [answer.title, "", counts, "", costs]
    return "\n".join(body + _footer(answer, answer.rows))


def _table(answer: TableAnswer) -> str:
    headers = ["Model", "Provider", "Context", "In $/1M", "Out $/1M", "Train $/1M", "Since"]
    rows = [
        [
            row.model,
            row.provider,
            _window(row.context_window),
            format_rate(row.input_per_mtok),
            format_rate(row.output_per_mtok),
            _optional_rate(row.training_per_mtok),
            _since(row.effective),
        ]
        for row in answer.rows
    ]
    heading = answer.title
    if answer.kind != "history":
        heading += f" (as of {answer.as_of.isoformat()})"
    body = [heading, ""]
    if rows:
        body.append(table(headers, rows, text_columns=(0, 1)))
    return "\n".join(body + _footer(answer))


_SHELL_SPECIAL = set("<>|&;?*$`'\"()[]{}!#~")


def _for_shell(question: str) -> str:
    """Quoted when a shell would mangle it: '->' would redirect into a file named '200'."""
    return shlex.quote(question) if _SHELL_SPECIAL & set(question) else question


def _help(answer: HelpAnswer) -> str:
    lines = [answer.title, ""]
    lines += [f"  {line}" for line in answer.lines]
    lines += ["", "Examples:"]
    lines += [f"  llmcost {_for_shell(example)}" for example in answer.examples]
    if answer.topic is None:
        lines += ["", "Options: --json for machine-readable output, --at YYYY-MM-DD for a date."]
    return "\n".join(lines)


def render_text(answer: Answer) -> str:
    match answer:
        case PricedAnswer():
            return _priced(answer)
        case FinetuneAnswer():
            return _finetune(answer)
        case BreakevenAnswer():
            return _breakeven(answer)
        case TokensAnswer():
            return _tokens(answer)
        case TableAnswer():
            return _table(answer)
        case HelpAnswer():
            return _help(answer)
    raise AssertionError(f"unhandled answer {answer!r}")  # pragma: no cover
