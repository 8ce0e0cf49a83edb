"""What a verb is made of: the registry builds the Query union, the parser's and the engine's
dispatch, `render`, the examples, `help` and the thread follow-ups from these.

A verb is the module `pricing.verbs.<name>`, and the module is its whole contract:
- `QUERY`, its Query model (whose `kind` is the verb's name);
- `SUMMARY` (one line for 'help'), `EXAMPLE` (the one example that stands for the verb; it works
  when pasted), and optionally `DETAILS` and `MORE_EXAMPLES` for 'help <verb>';
- `parse(after)`, the words after the verb exactly as typed -> its Query (raises ParseError);
- `render(query)`, the canonical words: parse(render(q)) == q;
- `answer(query, at)`, the engine: a Query and a PricingDay -> an Answer;
- `follow_ups(previous)`, the replies a thread about such a question can offer (the first few
  are suggested on errors), and `apply(previous, reply)`, a reply's changes applied to it
  (raises CannotApply);
- optionally `FREE_TEXT`, `BUDGET_REPLIES` and `own_reply`, described on `Verb`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Any

from pricing.answers import Answer
from pricing.query import VerbQuery
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
    """One command, as the registry reads it from its module (see above). The functions take and
    return that verb's own Query model (`query`)."""

    name: str
    query: type[VerbQuery]
    summary: str
    example: str
    parse: Callable[[str], VerbQuery]
    render: Callable[[Any], str]
    answer: Callable[[Any, PricingDay], Answer]
    follow_ups: Callable[[Any], list[str]]
    apply: Callable[[Any, Reply], VerbQuery]
    details: tuple[str, ...] = ()
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
    own_reply: Callable[[Any, str], VerbQuery | None] | None = None

    @classmethod
    def from_module(cls, module: ModuleType, synonyms: tuple[str, ...] = ()) -> "Verb":
        """The verb a module `pricing.verbs.<name>` defines; AttributeError names what it lacks."""
        return cls(
            name=module.__name__.rpartition(".")[2],
            query=module.QUERY,
            summary=module.SUMMARY,
            example=module.EXAMPLE,
            parse=module.parse,
            render=module.render,
            answer=module.answer,
            follow_ups=module.follow_ups,
            apply=module.apply,
            details=getattr(module, "DETAILS", ()),
            more_examples=getattr(module, "MORE_EXAMPLES", ()),
            synonyms=synonyms,
            free_text=getattr(module, "FREE_TEXT", False),
            budget_replies=getattr(module, "BUDGET_REPLIES", False),
            own_reply=getattr(module, "own_reply", None),
        )
