"""Reading a tariffs file without trusting it: only a regular file, only so many bytes, and only
so much nesting, all checked before the TOML parser sees a byte.

Python's tomllib recurses once per nested array or inline table (5,000 levels end in
RecursionError) and checks a dotted key's every prefix against every other (a 40 KB key of
20,000 parts took 6 s and 1.6 GB), so both are refused by a cheap scan of the raw text first.
"""

import os
import re
import stat
from pathlib import Path

from pricing.errors import TariffFileError
from pricing.json_input import without_bom

# A real tariffs file is a few kilobytes (the bundled one, 30 models with sources, is 10 KB).
MAX_FILE_BYTES = 1_000_000
# Tables, arrays and dotted keys inside one another. The format needs 3 ([[tariff]] blocks in
# their list, and a block's aliases), so 10 refuses nothing a tariffs file could mean.
MAX_NESTING = 10

# What the nesting scan stops at; strings and comments are then skipped whole, so that a bracket
# or a dot inside them counts for nothing.
_STRUCTURE = re.compile(r"[\[\]{}.,=\n\"'#]")
_SKIPPED = {
    # A multi-line string may end in one or two quotes of its own before the closing three.
    '"""': re.compile(r'"""(?:[^\\]|\\.)*?""""?"?', re.DOTALL),
    "'''": re.compile(r"'''.*?''''?'?", re.DOTALL),
    '"': re.compile(r'"(?:[^"\\\n]|\\.)*"'),
    "'": re.compile(r"'[^'\n]*'"),
    "#": re.compile(r"#[^\n]*"),
}
_OPENING = {"[": "]", "{": "}"}


def read_tariffs_text(path: Path, label: str) -> str:
    """The text of the file at `path`, refused with one line naming `label` if it is not a
    regular file, is larger than MAX_FILE_BYTES or is not UTF-8. Never blocks on a pipe."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise _not_a_file(label)
        # Non-blocking: if the path became a pipe since the check above, opening it must not
        # wait for a writer; what was opened is checked again below.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        with open(os.open(path, flags), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise _not_a_file(label)
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise TariffFileError(f"{label} does not exist.") from exc
    except OSError as exc:
        raise TariffFileError(f"{label} could not be read: {exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise TariffFileError(
            f"{label} is larger than {MAX_FILE_BYTES:,} bytes, the most a tariffs file may be "
            "(a file of a few hundred models is tens of kilobytes)."
        )
    try:
        # A byte-order mark, as some editors write, is dropped: TOML would refuse it unexplained.
        return without_bom(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise TariffFileError(f"{label} could not be read: {exc}") from exc


def _not_a_file(label: str) -> TariffFileError:
    return TariffFileError(
        f"{label} is not a regular file (a directory, pipe or device); give the path of a "
        ".toml file."
    )


def check_nesting(text: str, label: str) -> None:
    """Refuse `text` if tables, arrays and dotted keys would nest deeper than MAX_NESTING.

    A scan, not a parse: it may count a level too many in text TOML would refuse anyway, never
    one too few, and it stops at the first place past the limit."""
    line = 1
    table_depth = 0  # of the values under the last [table] or [[array.of.tables]] header
    opened: list[tuple[str, int]] = []  # each open [ or { with the depth of what it holds
    in_key = True  # at a key (or a header): its dots are levels too
    in_header = False
    header_brackets = 0
    key_dots = 0

    def deeper(depth: int) -> None:
        if depth > MAX_NESTING:
            raise TariffFileError(
                f"{label}, line {line}: tables, arrays and dotted keys nest more than "
                f"{MAX_NESTING} deep; a [[tariff]] block needs 3."
            )

    position = 0
    while (match := _STRUCTURE.search(text, position)) is not None:
        token, position = match.group(), match.end()
        if token in "\"'#":
            opening = text[match.start() : match.start() + 3]
            skipped = _SKIPPED.get(opening) or _SKIPPED[token]
            string = skipped.match(text, match.start())
            if string is None:
                return  # an unterminated string: not TOML, and the parser will say where
            line += string.group().count("\n")
            position = string.end()
        elif token == "\n":
            line += 1
            if not opened:
                in_key, in_header, key_dots = True, False, 0
        elif token == ".":
            if in_key:
                # "a.b.c = 1" makes the tables a and b: one level per dot.
                key_dots += 1
                outer = 0 if in_header else opened[-1][1] if opened else table_depth
                deeper(outer + key_dots)
        elif token == "=":
            in_key = False
        elif token == "[" and not opened and (in_header or in_key):
            # A header at the start of a line: "[a.b]" or "[[a.b]]".
            in_header, in_key = True, True
            header_brackets += 1
        elif token == "]" and in_header:
            table_depth = key_dots + header_brackets
            deeper(table_depth)
            in_header, in_key, header_brackets, key_dots = False, False, 0, 0
        elif token in _OPENING:
            depth = (opened[-1][1] if opened else table_depth) + key_dots + 1
            deeper(depth)
            opened.append((_OPENING[token], depth))
            in_key, key_dots = token == "{", 0
        elif token in "]}":
            if opened:
                opened.pop()
            in_key, key_dots = False, 0
        elif token == ",":
            in_key, key_dots = bool(opened) and opened[-1][0] == "}", 0
