"""`llmcost prices refresh|status`: fetch genai-prices' data file by hand, and say which data
answers questions, how fresh it is, and how the last refresh went."""

import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from bot.cli.terminal import EXIT_BAD_INPUT, error_output, option_value, print_outcome, sqlite_path
from pricing.errors import LlmcostError
from pricing.quantities import counted, counted_possessive

USAGE = """\
usage: llmcost prices refresh [--url URL]
       llmcost prices status [--json]

  refresh    fetch genai-prices' data file once, check it and store it (the clock does this
             daily); a file that fails a check changes nothing
  status     the data in force (when fetched, how many models), the last refresh and its outcome

Settings come from the environment (or a .env file):
  LLMCOST_PRICES_URL  the data file (default: genai-prices' published v2 data.json; off: never)
  DATABASE_URL        where snapshots are stored (default sqlite:///llmcost.db)"""

EXIT_REFUSED = 1


def _no_value(name: str) -> LlmcostError:
    return LlmcostError(f"{name} needs a value, e.g. {name} https://example.com/data.json.")


def run(argv: Sequence[str]) -> tuple[int, str, str]:
    args = list(argv)
    as_json = "--json" in args
    if not args or args[0] in ("-h", "--help", "help"):
        return (0, USAGE, "") if args else (EXIT_BAD_INPUT, "", USAGE)
    command, rest = args[0], args[1:]
    try:
        if command == "refresh":
            return _refresh(rest)
        if command == "status":
            unknown = [arg for arg in rest if arg != "--json"]
            if unknown:
                raise LlmcostError(f"Unknown option {unknown[0]}.", suggestions=["--json"])
            return _status(as_json)
        raise LlmcostError(
            f"'llmcost prices {command}' is not a command; try 'llmcost prices refresh' or "
            "'llmcost prices status'."
        )
    except LlmcostError as error:
        return EXIT_BAD_INPUT, *error_output(error, as_json)


def _refresh(rest: list[str]) -> tuple[int, str, str]:
    from bot.prices.refresh import refresh_prices
    from bot.settings import load_prices_settings
    from bot.storage.engine import open_store
    from bot.storage.snapshots import SnapshotStore
    from bot.wall_clock import utc_now

    url: str | None = None
    index = 0
    while index < len(rest):
        if rest[index] == "--url" or rest[index].startswith("--url="):
            url, index = option_value(rest, index, "--url", _no_value)
            continue
        raise LlmcostError(f"Unknown option {rest[index]}.", suggestions=["--url URL"])
    overrides = {} if url is None else {"llmcost_prices_url": url}
    settings = load_prices_settings(**overrides)
    if settings.prices_url is None:
        raise LlmcostError(
            "LLMCOST_PRICES_URL is off, so nothing is fetched; name a file with --url URL."
        )
    # The outcome is printed below; logged too, it would be said twice.
    logging.getLogger("bot").addHandler(logging.NullHandler())
    snapshots = SnapshotStore(open_store(settings))
    try:
        report = refresh_prices(snapshots, settings.prices_url, now=utc_now())
    finally:
        snapshots.close()
    if report.outcome == "refused":
        return EXIT_REFUSED, "", f"llmcost: {report.line()}"
    return 0, report.line(), ""


def status(database_url: str | None, source_url: str) -> dict[str, Any]:
    """What `prices status` reports, as JSON-ready values."""
    import genai_prices

    installed = {"in_force": f"the installed genai-prices {genai_prices.__version__} data"}
    result: dict[str, Any] = {"source_url": source_url, "snapshot": None, "last_attempt": None}
    path = sqlite_path(database_url)
    if path is not None and not path.is_file():
        return {**result, **installed}
    from bot.storage.snapshots import SnapshotStore
    from bot.storage.store import Store

    snapshots = SnapshotStore(Store(database_url))
    try:
        newest, attempt, change = snapshots.status()
    finally:
        snapshots.close()
    if newest is not None:
        result["in_force"] = f"genai-prices data fetched {newest.fetched_at.date().isoformat()}"
        result["snapshot"] = {
            "fetched_at": newest.fetched_at.isoformat(),
            "first_fetched_at": newest.first_fetched_at.isoformat(),
            "models": newest.models,
            "content_hash": newest.content_hash,
            "bytes": newest.size,
            "source_url": newest.source_url,
            "validated_by_genai_prices": newest.genai_prices_version,
        }
    else:
        result.update(installed)
    if attempt is not None:
        result["last_attempt"] = _attempt(attempt)
    result["last_change"] = None if change is None else _attempt(change)
    return result


def _attempt(attempt: Any) -> dict[str, Any]:
    return {
        "at": attempt.attempted_at.isoformat(),
        "url": attempt.source_url,
        "outcome": attempt.outcome,
        "reason": attempt.detail,
        "models_changed": attempt.models_changed,
        "prices_changed": attempt.prices_changed,
    }


def _status(as_json: bool) -> tuple[int, str, str]:
    from bot.settings import load_prices_settings

    settings = load_prices_settings()
    report = status(settings.database_url, settings.llmcost_prices_url)
    if as_json:
        return 0, json.dumps(report, indent=2), ""
    lines = [f"Source:     {report['source_url']}", f"In force:   {report['in_force']}"]
    snapshot = report["snapshot"]
    if snapshot:
        lines.append(
            f"Snapshot:   {snapshot['models']} models, sha256 {snapshot['content_hash'][:16]}, "
            f"fetched {snapshot['fetched_at']} (first {snapshot['first_fetched_at']})"
        )
    attempt = report["last_attempt"]
    if attempt is None:
        lines.append("Last try:   never (`llmcost prices refresh` fetches once)")
    else:
        outcome = attempt["outcome"]
        if outcome == "refused":
            outcome = f"refused, nothing changed: {attempt['reason']}"
        elif attempt["reason"]:
            outcome = f"{outcome}; {attempt['reason']}"
        lines.append(f"Last try:   {attempt['at']}: {outcome}")
    change = report.get("last_change")
    if change:
        lines.append(
            f"Last change: {change['at']}: {counted(change['models_changed'], 'model')} added "
            f"or dropped, {counted_possessive(change['prices_changed'], 'model')} prices changed"
        )
    return 0, "\n".join(lines), ""


def main(args: list[str]) -> int:
    """`llmcost prices ...`: `args` are the words after `prices`."""
    return print_outcome(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
