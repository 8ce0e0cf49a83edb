"""A phrase: a way people say something, the grammar's words for it, and what the answer states
when it was read that way (a rule applied, a date resolved)."""

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from pricing.errors import ParseError


@dataclass
class Context:
    """What the rules read with (today, for relative dates) and what they record: the notes an
    answer states because of how its question was read."""

    today: date
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


# The grammar's words for a match, given the context; raising ParseError refuses the phrase.
Said = Callable[[re.Match[str], Context], str]


@dataclass(frozen=True)
class Phrase:
    pattern: str
    said: Said
    # Text without any of these (lowercase) cannot hold the phrase: its pattern is then neither
    # compiled nor run, so a plain question starts as fast as before the phrases were added.
    when: tuple[str, ...]

    def apply(self, text: str, context: Context) -> str:
        lowered = text.lower()
        if not any(word in lowered for word in self.when):
            return text
        return compiled(self.pattern).sub(lambda match: self.said(match, context), text)


@functools.cache
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


def phrase(
    pattern: str, said: str | Said, note: str | None = None, *, when: tuple[str, ...]
) -> Phrase:
    """A phrase matched case-insensitively in text holding one of `when`; `said` is a
    replacement template ('\\1% cached') or a function; `note`, when given, is stated in every
    answer that used the phrase."""

    def replaced(match: re.Match[str], context: Context) -> str:
        if note is not None:
            context.note(match.expand(note))
        return said(match, context) if callable(said) else match.expand(said)

    return Phrase(pattern, replaced, when)


def apply_all(text: str, phrases: Sequence[Phrase], context: Context) -> str:
    for each in phrases:
        text = each.apply(text, context)
    return text


def refuse(message: str, example: str) -> ParseError:
    return ParseError(f"{message} Try: {example}", suggestions=[example])
