"""What a verb is made of: the registry builds the Query union, the parser's and the engine's
dispatch, `render`, the examples, `help` and the thread follow-ups from these."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pricing.answers import Answer
from pricing.query import FrozenQuery
from pricing.refinement import Reply
from pricing.tariffs import TariffBook


@dataclass(frozen=True)
class PricingDay:
    """What an engine function prices with: the book, the day whose prices apply (the question's
    `as of` date, else today) and whether that day is in the past."""

    book: TariffBook
    day: date
    historical: bool


@dataclass(frozen=True)
class Verb:
    """One command. The functions take and return that verb's own Query model (`query`)."""

    name: str
    query: type[FrozenQuery]
    summary: str  # one line for 'help'
    example: str  # the one example that stands for the verb (EXAMPLES); works when pasted
    # The words after the verb, exactly as typed -> Query; raises ParseError.
    parse: Callable[[str], Any]
    # Query -> the canonical words: parse(render(q)) == q.
    render: Callable[[Any], str]
    answer: Callable[[Any, PricingDay], Answer]
    # Replies a thread about such a question can offer; the first few are suggested on errors.
    follow_ups: Callable[[Any], list[str]]
    # A thread reply's changes applied to such a question; raises CannotApply.
    apply: Callable[[Any, Reply], Any]
    details: tuple[str, ...] = ()  # 'help <verb>' after the summary
    more_examples: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    # Free text follows the verb: in a thread, chat starting with it would parse ("tokens are
    # expensive"), so it never leads a new question there.
    free_text: bool = False
    # Replies to it may name money and periods ("make it $1000", "per day").
    budget_replies: bool = False
    # Its own reading of a thread reply, before the shared one: (question, reply words) -> the
    # changed question, or None to read the reply as any other ('vs gpt-4o prompt 2000' in a
    # training file's thread changes its base model; elsewhere 'vs' starts a comparison).
    own_reply: Callable[[Any, str], Any] | None = None
