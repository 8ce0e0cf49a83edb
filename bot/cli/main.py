"""`llmcost`: the entry point. `serve`, `clock`, `digest` and `prices` go to their own commands;
any other words are a question (bot.cli.asking)."""

import sys
from collections.abc import Sequence

from bot.cli.asking import run
from bot.cli.terminal import print_outcome


def main(argv: Sequence[str] | None = None) -> int:
    # Each command is imported only when asked for, so that a question never loads Slack's SDK.
    args = list(sys.argv[1:] if argv is None else argv)
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
