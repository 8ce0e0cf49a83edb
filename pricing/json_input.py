"""JSON read from outside (price files, training lines, Slack payloads): a UTF-8 byte-order mark
is dropped, as editors expect, and nesting is bounded before the parser sees the text. Python's
json module recurses once per level, so 150,000 '[' exhaust the stack (RecursionError) instead
of being refused; a scan of the brackets, strings skipped whole, refuses them first."""

import json
import re
from itertools import accumulate
from typing import Any

# genai-prices' data nests 8 deep, a chat example about 6, Slack's payloads under 20.
MAX_JSON_DEPTH = 64
BOM = "\ufeff"
# A JSON string, escapes included; any character but a bracket.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_LEVEL_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JsonTooDeep(ValueError):
    """Nested deeper than the bound; the message says so."""


def without_bom(text: str) -> str:
    return text.removeprefix(BOM)


def bytes_without_bom(raw: bytes) -> bytes:
    return raw.removeprefix(BOM.encode())


def check_depth(text: str, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise JsonTooDeep if arrays and objects in `text` nest deeper than `limit`. A scan, not
    a parse: it may count a level in text that is not JSON anyway, never one too few.

    Strings are dropped, then everything but brackets, and the depth is the highest running
    count of what is left: all of it in C (regular expressions, map, accumulate), where a
    Python loop over the brackets of a price file took half as long again."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    if max(accumulate(map(_LEVEL_STEP.__getitem__, brackets)), default=0) > limit:
        raise JsonTooDeep(f"arrays and objects nest more than {limit} deep")


def checked_text(raw: str | bytes, limit: int | None = MAX_JSON_DEPTH) -> str:
    """The text of `raw` without a byte-order mark, its nesting checked (None: checked when
    llmcost stored it). Raises ValueError."""
    text = without_bom(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    if limit is not None:
        check_depth(text, limit)
    return text


def loads(raw: str | bytes, limit: int = MAX_JSON_DEPTH) -> Any:
    """json.loads, with a byte-order mark dropped and nesting bounded. Raises ValueError (its
    subclasses json.JSONDecodeError, UnicodeDecodeError and JsonTooDeep say which)."""
    return json.loads(checked_text(raw, limit))


_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _NotAnArray(Exception):
    pass


def _after_space(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    assert match is not None  # the pattern matches the empty string
    return match.end()


def _items_as_written(text: str) -> list[tuple[Any, str]]:
    """The items of the JSON array `text`, each with its text. Raises _NotAnArray, or
    json.JSONDecodeError where the text is not JSON."""
    at = _after_space(text, 0)
    if not text.startswith("[", at):
        raise _NotAnArray
    at = _after_space(text, at + 1)
    items: list[tuple[Any, str]] = []
    if text.startswith("]", at):
        at += 1
    else:
        while True:
            item, end = _DECODER.raw_decode(text, at)
            items.append((item, text[at:end]))
            at = _after_space(text, end)
            if text.startswith("]", at):
                at += 1
                break
            if not text.startswith(",", at):
                raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
            at = _after_space(text, at + 1)
    if _after_space(text, at) != len(text):
        raise json.JSONDecodeError("Extra data", text, at)
    return items


def array_items(
    raw: str | bytes, limit: int | None = MAX_JSON_DEPTH
) -> list[tuple[Any, str]] | None:
    """The items of a JSON array, each with its text as written, read as `loads` reads: so that
    two files' items can be compared as written (in Python, 1 == 1.0 == True). None when the
    text is JSON but not an array. Raises ValueError as `loads` does, with json.loads' own
    message."""
    text = checked_text(raw, limit)
    try:
        return _items_as_written(text)
    except _NotAnArray:
        json.loads(text)  # raises if the text is not JSON at all
        return None
    except json.JSONDecodeError:
        json.loads(text)  # the message json.loads gives for the whole text
        raise
