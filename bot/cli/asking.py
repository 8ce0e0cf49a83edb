"""`llmcost <words...>`: the same questions as `/llmcost` in Slack, answered in a terminal.

Options may stand anywhere among the words (`llmcost compare ... --json`), so they are picked out
by hand: argparse would read the "->" of a breakeven question as an option.
"""

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli.terminal import (
    EXIT_BAD_INPUT,
    catalog_in_force,
    error_output,
    iso_date,
    option_value,
    tariffs_file,
    terminal_width,
)
from pricing.errors import LlmcostError
from pricing.query import PricedQuery, VerbQuery

if TYPE_CHECKING:
    from pricing.answers import Answer
    from pricing.tariffs import TariffBook

USAGE = """\
usage: llmcost [--json] [--chart FILE.png] [--at YYYY-MM-DD] [--tariffs FILE] <question...>

  llmcost compare gpt-4-8k ft-gpt-3.5 200k tokens
  llmcost tokens - < prompt.txt    count (and price) a file's tokens
  cat notes.txt | llmcost tokens   the same, from a pipe
  llmcost finetune train.jsonl     check, count and price a fine-tuning file
  llmcost help                     all commands, with examples
  llmcost serve                    run the Slack app (see `llmcost serve --help`)
  llmcost clock                    post subscribed channels' digests (`llmcost clock --help`)
  llmcost digest preview           this week's tariff changes (`llmcost digest --help`)
  llmcost prices status            which genai-prices data answers (`llmcost prices --help`)

options:
  --json               print one JSON object instead of a table (with the chart's series)
  --chart FILE.png     also draw the answer's chart into FILE.png (1200 x 700)
  --at YYYY-MM-DD      use the prices in force on that date (default: today)
  --tariffs FILE       add or override tariffs from a TOML file (default: $LLMCOST_TARIFFS)
  -h, --help           this text
  -V, --version        the installed version, and genai-prices' (it decides today's prices)"""
OPTIONS = [
    "--json",
    "--chart FILE.png",
    "--at YYYY-MM-DD",
    "--tariffs FILE",
    "-h/--help",
    "-V/--version",
]
TOKENS_WORDS = {"tokens", "token", "count"}


@dataclass
class Invocation:
    words: list[str] = field(default_factory=list)
    as_json: bool = False
    at: date | None = None
    tariffs: Path | None = None
    chart: Path | None = None
    show_usage: bool = False
    show_version: bool = False


def _no_value(name: str) -> LlmcostError:
    return LlmcostError(f"{name} needs a value.", suggestions=[USAGE.splitlines()[0]])


def read_argv(argv: Sequence[str]) -> Invocation:
    args = list(argv)
    invocation = Invocation()
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--json":
            invocation.as_json = True
        elif arg in ("-h", "--help"):
            invocation.show_usage = True
        elif arg in ("-V", "--version"):
            invocation.show_version = True
        elif arg == "--at" or arg.startswith("--at="):
            value, index = option_value(args, index, "--at", _no_value)
            try:
                invocation.at = iso_date(value)
            except ValueError as problem:
                raise LlmcostError(
                    f"--at {value} {problem}.", suggestions=["--at 2023-08-22"]
                ) from problem
            continue
        elif arg == "--chart" or arg.startswith("--chart="):
            value, index = option_value(args, index, "--chart", _no_chart_file)
            invocation.chart = Path(value)
            continue
        elif arg == "--tariffs" or arg.startswith("--tariffs="):
            value, index = option_value(args, index, "--tariffs", _no_value)
            invocation.tariffs = Path(value)
            continue
        elif arg.startswith("--"):
            raise LlmcostError(
                f"Unknown option {arg}. Options: {', '.join(OPTIONS)}.", suggestions=OPTIONS
            )
        else:
            invocation.words.append(arg)
        index += 1
    if invocation.words[:1] == ["chart"]:  # as `/llmcost chart compare ...` is asked in Slack
        example = " ".join(["llmcost --chart chart.png", *invocation.words[1:]]).strip()
        raise LlmcostError(
            f"In a terminal a chart is drawn into a file: {example}", suggestions=[example]
        )
    return invocation


def version_line() -> str:
    """'llmcost 0.3.0 (genai-prices 0.2.3)': the catalog's version decides today's prices."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        catalog = f" (genai-prices {version('genai-prices')})"
    except PackageNotFoundError:  # pragma: no cover - a dependency of llmcost
        catalog = ""
    return f"llmcost {version('llmcost')}{catalog}"


def _piped(words: list[str], stdin: TextIO | None) -> list[str]:
    """`cat notes.txt | llmcost tokens`: 'tokens' alone with text on a pipe counts the pipe."""
    alone = len(words) == 1 and words[0].lower() in TOKENS_WORDS
    return [*words, "-"] if alone and stdin is not None and not stdin.isatty() else words


def _with_piped_text(query: VerbQuery, stdin: TextIO) -> VerbQuery:
    """`llmcost tokens - < prompt.txt`: the text to count is standard input."""
    from pricing.verbs.tokens import TokensQuery  # loaded only for a tokens question

    assert isinstance(query, TokensQuery)
    if query.text != "-":
        return query
    piped = stdin.read()
    if not piped.strip():
        raise LlmcostError(
            "'tokens -' reads the text from standard input, which was empty.",
            suggestions=["llmcost tokens - < prompt.txt"],
        )
    return query.model_copy(update={"text": piped})


def _shown(
    invocation: Invocation, query: VerbQuery, result: "Answer", book: "TariffBook", today: date
) -> str:
    """The answer as text or JSON; with --chart, the chart written and its file named; in JSON,
    the chart's series (`chart`) whenever the answer has a shape."""
    from bot.render.json import render_json
    from bot.render.text import render_text

    chart = None
    if invocation.chart is not None or invocation.as_json:
        from pricing.chart_data import chart_of

        chart = chart_of(query, result, book, today)
    if invocation.chart is not None:
        from bot.cli.charting import nothing_to_chart, write_chart

        if chart is None:
            raise nothing_to_chart(result.kind)
        write_chart(invocation.chart, chart)
    if invocation.as_json:
        extra: dict[str, object] = {"chart": chart.model_dump(mode="json") if chart else None}
        if invocation.chart is not None:
            extra["chart_file"] = str(invocation.chart)
        return render_json(result, extra)
    text = render_text(result, width=terminal_width())
    return f"{text}\n\nChart: {invocation.chart}" if invocation.chart is not None else text


def _reads_a_file(query: VerbQuery) -> bool:
    from pricing.verbs.finetune import FinetuneQuery  # loaded only for a finetune question

    return isinstance(query, FinetuneQuery) and query.file is not None


def _no_chart_file(name: str) -> LlmcostError:
    usage = "usage: llmcost --chart FILE.png <question...>"
    return LlmcostError(f"{name} needs a file name. {usage}", suggestions=[usage])


def run(
    argv: Sequence[str], today: date | None = None, stdin: TextIO | None = None
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) for one invocation; `main` prints them."""
    as_json = "--json" in argv
    try:
        invocation = read_argv(argv)
        if invocation.show_usage:
            return 0, USAGE, ""
        if invocation.show_version or invocation.words == ["version"]:
            return 0, version_line(), ""
        # Imported here so that `--help` stays instant and a bad option never loads tariffs.
        from pricing.answer import answer
        from pricing.reading import BookNames, read
        from pricing.sources import load_book
        from pricing.tariffs import TariffBook
        from pricing.verbs.registry import is_verb

        book: TariffBook | None = None

        def loaded() -> TariffBook:
            nonlocal book
            if book is None:
                book = load_book(tariffs_file(invocation.tariffs), catalog=catalog_in_force)
            return book

        words = _piped(invocation.words, stdin)
        if words and is_verb(words[0], "finetune"):
            # Its files are read here: a word that is an existing file and no model's name
            # becomes './name' (bot.cli.training).
            from bot.cli.training import marked_files

            words = marked_files(words, loaded())
        # A model's name alone ("llmcost gpt-4o") asks its price; a sentence asks its command.
        reading = read(" ".join(words), today or date.today(), BookNames(loaded))
        query = reading.query
        if query.kind == "tokens" and stdin is not None:
            query = _with_piped_text(query, stdin)
        ignored = ""
        if invocation.at is not None:
            if not isinstance(query, PricedQuery):
                raise LlmcostError(
                    f"--at applies to priced questions, not to '{query.kind}'.",
                    suggestions=[" ".join(invocation.words)],
                )
            asked = query.as_of
            if asked is None:
                # --at is "as of" said once for every question; words that name a date win.
                query = query.model_copy(update={"as_of": invocation.at})
            elif asked != invocation.at:
                ignored = (
                    f"The question's date ({asked.isoformat()}) applies; "
                    f"--at {invocation.at.isoformat()} was ignored."
                )
        # Help needs no prices, so a broken tariffs file cannot hide it.
        book = TariffBook([]) if query.kind == "help" else loaded()
        if query.kind == "finetune" and _reads_a_file(query):
            from bot.cli.training import with_tallies
            from pricing.verbs.finetune import FinetuneQuery

            assert isinstance(query, FinetuneQuery)

            day = query.as_of or today or date.today()
            show = not as_json and sys.stderr.isatty()
            query = with_tallies(query, book, day, stdin, show_progress=show)
        result = reading.with_query(query).stated(answer(query, book, today=today or date.today()))
        if ignored:
            result = result.model_copy(update={"notes": (ignored, *result.notes)})
        return 0, _shown(invocation, query, result, book, today or date.today()), ""
    except LlmcostError as error:
        return EXIT_BAD_INPUT, *error_output(error, as_json)
