"""What every `llmcost` command shares in a terminal: exit codes, the width to print at, the
tariffs file to read, errors as one line (or JSON), and printing an outcome as a Unix tool does."""

import os
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pricing.errors import LlmcostError

if TYPE_CHECKING:
    from pricing.tariffs import Catalog

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


def option_value(
    args: Sequence[str], index: int, name: str, missing: Callable[[str], LlmcostError]
) -> tuple[str, int]:
    """The value of `--name value` or `--name=value` at args[index], and the index after it;
    `missing(name)` is raised when the option ends the line without one."""
    arg = args[index]
    if arg.startswith(f"{name}="):
        return arg.split("=", 1)[1], index + 1
    if index + 1 >= len(args):
        raise missing(name)
    return args[index + 1], index + 2


def iso_date(value: str) -> date:
    """A YYYY-MM-DD date; ValueError says what is wrong with one that is not."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        looks_right = len(value) == 10 and value[4] == "-" == value[7]
        problem = "is not a real date" if looks_right else "is not a date as YYYY-MM-DD"
        raise ValueError(problem) from exc


def terminal_width() -> int:
    """The terminal's width when printing to one; a fixed width for pipes, so output is stable."""
    from bot.render.text import DEFAULT_WIDTH

    if not sys.stdout.isatty():
        return DEFAULT_WIDTH
    return max(60, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def catalog_in_force() -> "Catalog":
    """genai-prices' catalog for a terminal question: the newest snapshot `llmcost prices
    refresh` (or the clock) stored in DATABASE_URL's database, else the installed package's data.
    Called only when a question needs the catalog; a missing SQLite file is seen without loading
    SQLAlchemy, so a fresh clone answers as fast as before, and no question waits on a network."""
    from pricing.catalog import genai_prices_catalog

    database_url = os.environ.get("DATABASE_URL", "").strip() or None
    path = sqlite_path(database_url)
    if path is not None and not path.is_file():
        return genai_prices_catalog()
    from bot.prices.in_force import stored_catalog

    return stored_catalog(database_url)


def sqlite_path(database_url: str | None) -> Path | None:
    """The file of a SQLite DATABASE_URL (unset: llmcost.db here); None for other databases."""
    if database_url is None:
        return Path("llmcost.db")
    scheme, _, rest = database_url.partition("://")
    if scheme.partition("+")[0] != "sqlite":
        return None
    file = rest.removeprefix("/").partition("?")[0]
    return Path(file) if file and file != ":memory:" else None


def tariffs_file(given: Path | None) -> Path | None:
    """The file named by --tariffs, else by $LLMCOST_TARIFFS; None for the bundled tariffs only."""
    if given is not None:
        return given
    from_env = os.environ.get("LLMCOST_TARIFFS", "").strip()
    return Path(from_env) if from_env else None


def error_output(error: LlmcostError, as_json: bool) -> tuple[str, str]:
    """(stdout, stderr) for a question or option that could not be answered."""
    if as_json:
        from bot.render.json import render_json_error

        return render_json_error(error), ""
    from bot.render.text import for_shell

    message = error.message
    if error.suggestions and message.endswith(f" Try: {error.suggestions[0]}"):
        # 'budget $500 ...' pasted unquoted into a shell loses '$5': the example is quoted.
        example = error.suggestions[0]
        message = message.removesuffix(example) + for_shell(example)
    return "", f"llmcost: {message}{error.name_hint}"


def print_outcome(work: Callable[[], tuple[int, str, str]]) -> int:
    """Print what `work` answered (exit code, stdout, stderr) as a command-line tool does: an
    unexpected failure as one line, a reader that went away (`| head -1`) quietly."""
    try:
        code, out, err = work()
    except Exception as exc:
        if os.environ.get("LLMCOST_DEBUG"):
            raise
        print(
            f"llmcost: internal error: {exc!r}. Set LLMCOST_DEBUG=1 for details.", file=sys.stderr
        )
        return EXIT_INTERNAL
    try:
        if out:
            print(out)
        if err:
            print(err, file=sys.stderr)
        sys.stdout.flush()
    except BrokenPipeError:
        # `llmcost models claude | head -1`: the reader left; end quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code
