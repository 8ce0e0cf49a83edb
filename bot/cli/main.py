"""`llmcost`: the entry point. `serve`, `clock`, `digest` and `prices` go to their own commands;
any other words are a question (bot.cli.asking)."""

import sys
from collections.abc import Sequence

from bot.cli.asking import run
from bot.cli.terminal import print_outcome

COMMANDS = ("serve", "clock", "prices", "digest")
# Options that take the next word as their value, wherever they stand.
VALUE_OPTIONS = ("--at", "--tariffs", "--url", "--since", "--until", "--now")


def command_first(args: list[str]) -> list[str]:
    """`llmcost --json prices status` as `llmcost prices status --json`: options given before
    a command are that command's, as they would be at the end."""
    index = 0
    while index < len(args) and args[index].startswith("-"):
        takes_value = args[index] in VALUE_OPTIONS
        index += 2 if takes_value else 1
    if 0 < index < len(args) and args[index] in COMMANDS:
        return [*args[index:], *args[:index]]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    # Each command is imported only when asked for, so that a question never loads Slack's SDK.
    args = command_first(list(sys.argv[1:] if argv is None else argv))
    if args[:1] == ["serve"]:
        from bot.slack.server import serve

        return serve(args[1:])
    if args[:1] == ["clock"]:
        from bot.digests.clock import main as clock

        return clock(args[1:])
    if args[:1] == ["prices"]:
        from bot.cli.prices import main as prices

        return prices(args[1:])
    if args[:1] == ["digest"]:
        from bot.cli.digest import main as digest

        return digest(args[1:])
    return print_outcome(lambda: run(args, stdin=sys.stdin))


if __name__ == "__main__":
    sys.exit(main())
