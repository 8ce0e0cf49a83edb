"""help: what each command does, with examples that work when pasted.

Help is about the other verbs, so the registry makes it with `make_verb(catalog)`, where
`catalog()` gives every verb (help included) in the order help lists them."""

import difflib
from collections.abc import Callable, Sequence
from typing import Literal

from pricing.answers import HelpAnswer
from pricing.errors import ParseError
from pricing.lexicon import words
from pricing.query import FrozenQuery
from pricing.refinement import CannotApply, Reply
from pricing.verbs.compare import EXAMPLE as COMPARE_EXAMPLE
from pricing.verbs.spec import PricingDay, Verb

EXAMPLE = "help compare"
SUMMARY = "This help, or 'help <command>'."
GENERAL = (
    "Any priced question can end with 'as of YYYY-MM-DD'.",
    "digest: In Slack, a channel's weekly digest of tariff changes ('digest subscribe', "
    "'digest status', 'digest' for more); in a terminal, 'llmcost digest preview'.",
)


class HelpQuery(FrozenQuery):
    kind: Literal["help"] = "help"
    topic: str | None = None


def render(query: HelpQuery) -> str:
    return f"help{' ' + query.topic if query.topic else ''}"


def follow_ups(previous: HelpQuery) -> list[str]:
    return [COMPARE_EXAMPLE, "help"]


def apply(previous: HelpQuery, reply: Reply) -> HelpQuery:
    raise CannotApply("There is no question in this thread to change; ask a whole one.")


def make_verb(catalog: Callable[[], Sequence[Verb]]) -> Verb:
    """The help verb over `catalog()`, read when help is asked (after the registry is built)."""

    def names() -> tuple[str, ...]:
        return tuple(verb.name for verb in catalog())

    def synonyms() -> dict[str, str]:
        return {synonym: verb.name for verb in catalog() for synonym in verb.synonyms}

    def parse(after: str) -> HelpQuery:
        given = words(after)
        if not given:
            return HelpQuery()
        topic = given[0].lower()
        verb = synonyms().get(topic, topic)
        known = names()
        if verb not in known:
            raise ParseError(
                f"There is no help on '{given[0]}'. Topics: {', '.join(known)}.",
                suggestions=[f"help {v}" for v in difflib.get_close_matches(topic, known, n=3)]
                or ["help"],
            )
        return HelpQuery(topic=verb)

    def answer(query: HelpQuery, at: PricingDay) -> HelpAnswer:
        verbs = {verb.name: verb for verb in catalog()}
        if query.topic is None:
            lines = tuple(f"{verb.name}: {verb.summary}" for verb in verbs.values()) + GENERAL
            examples = tuple(verb.example for verb in verbs.values() if verb.name != "help")
        else:
            verb = verbs[query.topic]
            lines = (verb.summary, *verb.details)
            examples = (verb.example, *verb.more_examples)
        title = f"Help on {query.topic}" if query.topic else "llmcost: commands"
        return HelpAnswer(
            as_of=at.day, title=title, topic=query.topic, lines=lines, examples=examples
        )

    return Verb(
        name="help",
        query=HelpQuery,
        summary=SUMMARY,
        example=EXAMPLE,
        synonyms=("?",),
        parse=parse,
        render=render,
        answer=answer,
        follow_ups=follow_ups,
        apply=apply,
    )
