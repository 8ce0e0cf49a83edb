"""`llmcost digest preview`: the tariff digest a Slack channel would get, in a terminal.

Subscribing belongs to a channel, so `subscribe`, `unsubscribe`, `status` and `watch` exist only
in Slack; here they say so. Errors are one line starting 'llmcost: ', as for every question.
"""

import difflib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bot.cli.terminal import (
    EXIT_BAD_INPUT,
    catalog_in_force,
    error_output,
    iso_date,
    option_value,
    print_outcome,
    tariffs_file,
    terminal_width,
)
from pricing.errors import LlmcostError

USAGE = """\
usage: llmcost digest preview [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--watch TERMS]
                              [--tariffs FILE] [--json]

  llmcost digest preview                        the tariff changes of the last 7 days
  llmcost digest preview --watch openai,gpt-4o  what a channel watching these would get
  llmcost digest preview --since 2024-09-25 --until 2024-10-03

options:
  --since YYYY-MM-DD   changes effective after this day (default: 7 days before --until)
  --until YYYY-MM-DD   up to and including this day (default: today)
  --watch TERMS        provider ids or model names, comma-separated or repeated
                       (default: the model makers' own prices)
  --tariffs FILE       add or override tariffs from a TOML file (default: $LLMCOST_TARIFFS)
  --json               print one JSON object instead of text
  -h, --help           this text

Channels subscribe in Slack: /llmcost digest subscribe"""

PREVIEW = "preview"
SLACK_ONLY = ("subscribe", "unsubscribe", "status", "watch")
DEFAULT_DAYS = 7
EXAMPLES = {
    "--since": "--since 2026-11-23",
    "--until": "--until 2026-11-30",
    "--watch": "--watch openai,gpt-4o",
    "--tariffs": "--tariffs my-tariffs.toml",
}


@dataclass
class Preview:
    since: date | None = None
    until: date | None = None
    watch: list[str] = field(default_factory=list)
    tariffs: Path | None = None
    as_json: bool = False
    show_usage: bool = False


def _no_value(name: str) -> LlmcostError:
    return LlmcostError(f"{name} needs a value, e.g. {EXAMPLES[name]}.")


def _date(option: str, value: str) -> date:
    from bot.digests.schedules import FIRST_YEAR, LAST_YEAR

    try:
        day = iso_date(value)
    except ValueError as problem:
        raise LlmcostError(f"{option} {value} {problem}; e.g. {EXAMPLES[option]}.") from problem
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise LlmcostError(
            f"{option} {value} is in the year {day.year}; digests are dated between "
            f"{FIRST_YEAR} and {LAST_YEAR}, e.g. {EXAMPLES[option]}."
        )
    return day


def _split_terms(value: str) -> list[str]:
    return [term.strip() for term in value.split(",") if term.strip()]


def read_preview(argv: Sequence[str]) -> Preview:
    """The options of `digest preview`, each given once at most (--watch may repeat)."""
    args = list(argv)
    preview = Preview()
    index = 0
    while index < len(args):
        arg = args[index]
        name = arg.split("=", 1)[0]
        if arg == "--json":
            preview.as_json = True
        elif arg in ("-h", "--help"):
            preview.show_usage = True
        elif name in ("--since", "--until"):
            value, index = option_value(args, index, name, _no_value)
            setattr(preview, name[2:], _date(name, value))
            continue
        elif name == "--watch":
            value, index = option_value(args, index, name, _no_value)
            preview.watch += _split_terms(value)
            continue
        elif name == "--tariffs":
            value, index = option_value(args, index, name, _no_value)
            preview.tariffs = Path(value)
            continue
        elif arg.startswith("-"):
            raise LlmcostError(
                f"Unknown option {arg} for 'digest preview'; it takes --since, --until, "
                "--watch, --tariffs and --json."
            )
        else:
            raise LlmcostError(
                f"'digest preview' takes options, not '{arg}'; to see only some models or "
                f"providers, write --watch {arg}."
            )
        index += 1
    return preview


def _window(preview: Preview, today: date) -> tuple[date, date]:
    until = preview.until or today
    since = preview.since or until - timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise LlmcostError(
            f"--since {since.isoformat()} is not before --until {until.isoformat()}; the digest "
            f"covers the days after --since up to --until, e.g. --since "
            f"{(until - timedelta(days=DEFAULT_DAYS)).isoformat()}."
        )
    return since, until


def _subcommand_error(word: str) -> LlmcostError:
    if word in SLACK_ONLY:
        return LlmcostError(
            f"digest {word} works in Slack: /llmcost digest {word} … ; "
            "in the terminal: llmcost digest preview"
        )
    close = difflib.get_close_matches(word, [PREVIEW, *SLACK_ONLY], n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return LlmcostError(
        f"Unknown digest command '{word}'.{hint} In the terminal: llmcost digest preview "
        "(llmcost digest --help for its options)."
    )


def _preview(preview: Preview, today: date) -> tuple[int, str, str]:
    # Imported here so that usage and argument errors never load tariffs.
    from bot.digests.content import compose
    from bot.render.digest import digest_json, digest_text
    from pricing.changes import check_watch
    from pricing.sources import load_book

    since, until = _window(preview, today)
    book = load_book(tariffs_file(preview.tariffs), catalog=catalog_in_force)
    watch = check_watch(book, preview.watch)
    digest = compose(book, since=since, until=until, watch=watch)
    if preview.as_json:
        return 0, digest_json(digest), ""
    return 0, digest_text(digest, width=terminal_width()), ""


def run(argv: Sequence[str], today: date | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) for the words after `llmcost digest`; `main` prints them."""
    args = list(argv)
    as_json = "--json" in args
    if not args:
        return EXIT_BAD_INPUT, "", USAGE
    command, rest = args[0], args[1:]
    if command in ("-h", "--help", "help"):
        return 0, USAGE, ""
    try:
        if command != PREVIEW:
            raise _subcommand_error(command)
        preview = read_preview(rest)
        if preview.show_usage:
            return 0, USAGE, ""
        return _preview(preview, today or date.today())
    except LlmcostError as error:
        return EXIT_BAD_INPUT, *error_output(error, as_json)


def main(args: list[str]) -> int:
    """`llmcost digest ...`: `args` are the words after `digest`."""
    return print_outcome(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
