"""Any question as people type it: the Query it asks, and how it was read.

`read` is the one reader for the terminal, the slash command, mentions, DMs and (through
`read_reply`) thread replies. It turns a sentence into its command (`pricing.phrasing.sentences`),
people's phrasings into the grammar's words (`pricing.phrasing.rewrite`), leaves out the words
that carry no price meaning, and parses what remains with the grammar (`pricing.parse`). What it
reinterpreted shows in the answer: "Read as: <the canonical words>", the words it ignored, and a
note for each rule it applied (words priced as tokens, a date resolved). A word that could change
the price is never dropped: a word close to a model name or to the grammar's words is kept, and
gets "did you mean" from the grammar.
"""

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from pydantic import BaseModel

from pricing.errors import LlmcostError, ParseError
from pricing.lexicon import (
    AMOUNT_FOLLOWERS,
    CURRENCY_WORDS,
    FILE_WORDS,
    NO_PRICE_MEANING,
    PERIOD_WORDS,
    RESERVED,
    SELLER_LEADS,
    SELLER_NAMES,
    is_vocabulary,
    joined_name,
    name_length,
)
from pricing.parse import parse, render
from pricing.phrasing.rewrite import rewrite
from pricing.phrasing.sentences import as_command, is_sentence
from pricing.tariffs import TariffBook
from pricing.verbs.registry import VERBS, Query, verb_named

# The verbs whose words after the verb are model names and amounts: a word there that is no
# model and close to none is left out. (cheapest and models filter on any word of a name.)
NAMING_VERBS = {"cost", "compare", "budget", "price", "history", "breakeven", "finetune"}
COMMAND_NAME = "/llmcost"
# Words the grammars read besides the reserved ones: never taken for an unknown model's name.
GRAMMAR_WORDS = RESERVED | set(PERIOD_WORDS) | CURRENCY_WORDS | SELLER_LEADS | set(VERBS)
GRAMMAR_WORDS |= AMOUNT_FOLLOWERS | FILE_WORDS
A = TypeVar("A", bound=BaseModel)


class Names(Protocol):
    """What the reader asks of the tariffs: whether a name is a model, and the names close to
    one (empty when none is)."""

    def is_model(self, name: str) -> bool: ...

    def close_to(self, name: str) -> list[str]: ...


@dataclass(frozen=True)
class Reading:
    query: Query
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # 'help' typed as such needs no line saying it was read as help.
    shown: bool = True

    def with_query(self, query: Query) -> "Reading":
        """The same reading of a question completed after it was read (--at, a file's counts)."""
        return Reading(query, self.ignored, self.notes, self.shown)

    @property
    def read_as(self) -> str:
        return render(self.query)

    def stated(self, answer: A) -> A:
        """`answer` saying how its question was read."""
        notes: tuple[str, ...] = getattr(answer, "notes", ())
        update = {"read_as": self.read_as if self.shown else None, "ignored": self.ignored}
        return answer.model_copy(update=update | {"notes": (*self.notes, *notes)})


def read(text: str, today: date, names: Names | None = None) -> Reading:
    """The question `text` asks. Raises LlmcostError (with what would work) when it cannot be
    priced."""
    text = text.strip()
    if text.lower().startswith(COMMAND_NAME):
        text = text[len(COMMAND_NAME) :].strip()  # pasted with the slash command's name
    is_model = names.is_model if names is not None else None
    first, _, rest = text.partition(" ")
    verb = verb_named(first.lower())
    if verb is not None and (verb.free_text or verb.name == "help"):
        # Free text is the question itself.
        return Reading(parse(text, is_model), shown=verb.name != "help")
    if verb is not None and verb.name == "finetune":
        from pricing.verbs.finetune import is_file_word  # loaded by the verb already

        if any(map(is_file_word, rest.split())):
            return Reading(parse(text, is_model))  # a path is read as typed ('logs/d.jsonl')
    if verb is None and is_sentence(first):
        text = as_command(text)
        first, _, rest = text.partition(" ")
        verb = verb_named(first.lower())
        if verb is not None and verb.name == "help":
            return Reading(parse(text))
    if verb is None:
        first, rest = "", text
    name = verb.name if verb is not None else "compare"
    rest, notes = rewrite(rest, today, name)
    # Without a verb, the first word may be a mistyped one: only the table's words go.
    kept, ignored = without_noise(rest, name, names if verb is not None else None)
    try:
        return Reading(parse(f"{first} {kept}".strip(), is_model), ignored, notes)
    except ParseError:
        if names is None or verb is None:
            raise
    # What was left was no question ('cost nosuchmodel 1M tokens' without its only model): the
    # words as typed, for the grammar and the tariffs to say what is wrong with them.
    kept, ignored = without_noise(rest, name, None)
    return Reading(parse(f"{first} {kept}".strip(), is_model), ignored, notes)


def read_reply(
    text: str, previous: Query, today: date, is_model: Callable[[str], bool] | None = None
) -> Reading | None:
    """A thread reply read against the thread's question (`pricing.followup.refine`), after the
    same phrasings as a question ('at night pacific time', 'make it $2k/mo'); None for
    conversation. A phrasing that would be refused in a question leaves a reply as typed: chat
    ("that took 5 hours") is not an error."""
    from pricing.followup import refine  # a thread's reader: the terminal never needs it

    try:
        rewritten, notes = rewrite(text, today, previous.kind)
    except LlmcostError:
        rewritten, notes = text, ()
    query = refine(rewritten, previous, is_model=is_model)
    return None if query is None else Reading(query, notes=notes)


def without_noise(text: str, verb: str, names: Names | None) -> tuple[str, tuple[str, ...]]:
    """`text` without the words that carry no price meaning, and those words. A word that is a
    typo of one of the grammar's ('cahced') is refused with "did you mean"."""
    said = text.split()
    kept: list[str] = []
    ignored: list[str] = []
    position = 0
    while position < len(said):
        word = said[position]
        bare = word.lower().strip(",;!?\"'().")
        # "in usd" says what every price is in; only a budget reads a currency.
        if bare in NO_PRICE_MEANING or (bare in CURRENCY_WORDS and verb != "budget"):
            ignored.append(bare)
            position += 1
            continue
        length = max(name_length(said, position), 1)
        span = said[position : position + length]
        if verb in NAMING_VERBS and _no_model(span, names):
            if (close := _grammar_word_close_to(span)) is not None:
                raise _did_you_mean(verb, kept, said[position:], *close)
            if _named_by_grammar(span, said[:position]):
                kept.extend(span)
            else:
                ignored.append(" ".join(span))
        else:
            kept.extend(span)
        position += length
    return " ".join(kept), tuple(dict.fromkeys(ignored))


def _no_model(span: list[str], names: Names | None) -> bool:
    """Whether the words `span` are words of no model: letters only (an id with a digit or a
    dash is for the grammar to read, and to say "did you mean" about), none of the grammar's
    words, and no model's name, part of one, nor close to one."""
    if names is None:
        return False
    said = [word.lower().strip(",;!?\"'().") for word in span]
    if not all(word.replace("'", "").isalpha() for word in said):
        return False
    if any(word in GRAMMAR_WORDS for word in said):
        return False
    name = joined_name(said)
    return not (names.is_model(name) or names.close_to(name))


def _named_by_grammar(span: list[str], before: list[str]) -> bool:
    """A word the grammar reads by where it stands: a unit after an amount ('2 lakh tokens',
    refused there with the units it knows) or a seller after 'on' or 'via'."""
    if not before:
        return False
    last = before[-1].lower()
    if last[:1].isdecimal() and is_vocabulary(last):
        return True
    return span[0].lower() in SELLER_NAMES and last in SELLER_LEADS


def _grammar_word_close_to(span: list[str]) -> tuple[str, str] | None:
    """(a word of `span`, the grammar's word it is a typo of: 'cahced' -> 'cached'), or None."""
    for word in span:
        close = difflib.get_close_matches(word.lower(), GRAMMAR_WORDS, n=1, cutoff=0.8)
        if close:
            return word, close[0]
    return None


def _did_you_mean(verb: str, kept: list[str], rest: list[str], typo: str, meant: str) -> ParseError:
    fixed = " ".join([verb, *kept, *(meant if word == typo else word for word in rest)])
    return ParseError(
        f"I don't know the word '{typo}'. Did you mean '{meant}'? Try: {fixed}",
        suggestions=[fixed],
    )


class BookNames:
    """`Names` backed by a tariff book, asked for when a name is first looked up (a question
    about a bundled model never loads the catalog)."""

    def __init__(self, book: Callable[[], TariffBook]) -> None:
        self._book = book

    def is_model(self, name: str) -> bool:
        return self._book().lookup(name) is not None

    def close_to(self, name: str) -> list[str]:
        """Names close to `name`, or the models of a family it names ('sonnet')."""
        book = self._book()
        return book.suggest(name) or [tariff.model for tariff in book.holding(name)[:3]]
