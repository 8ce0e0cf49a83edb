"""help: what each command does, with examples that work when pasted.

Help is about the other verbs: it reads them from the registry, in the order it lists them."""

import difflib
from typing import Literal

from pricing.answers import HelpAnswer
from pricing.errors import ParseError
from pricing.lexicon import SIZE_RULE, words
from pricing.query import VerbQuery
from pricing.refinement import CannotApply, Reply
from pricing.verbs import registry
from pricing.verbs.compare import EXAMPLE as COMPARE_EXAMPLE
from pricing.verbs.spec import PricingDay

EXAMPLE = "help compare"
SUMMARY = "This help, or 'help <command>'."
DIGEST_SUMMARY = (
    "In Slack, a channel's weekly digest of tariff changes ('digest subscribe', "
    "'digest status', 'digest' for more); in a terminal, 'llmcost digest preview'."
)
# Topics that are no question verb: `help digest` answers them all the same.
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "digest": (
        (
            DIGEST_SUMMARY,
            "'digest subscribe weekly mon 09:00 Europe/Paris' posts this channel the changes of "
            "the week (or 'daily'); 'digest watch openai, gpt-4o' narrows them; 'digest status' "
            "says what is set; 'digest unsubscribe' stops it; 'digest help' says more.",
            "In a terminal: 'llmcost digest preview' prints this week's changes; "
            "'llmcost digest --help' lists its options.",
        ),
        ("digest preview",),  # works when pasted in Slack and in a terminal alike
    ),
}
# How questions may be asked, after the list of commands (and in the README).
GENERAL = (
    "Any priced question can end with 'as of YYYY-MM-DD' (or 'as of last month', 'as of march "
    "2024', 'a year ago'); amounts with 'per hour', 'per day', 'per week', 'per month', "
    "'per quarter' or 'per year' ('/mo', 'monthly') are that period's.",
    SIZE_RULE,
    "Ask in words: 'how much would 500k tokens on gpt-5 run me', 'how many calls does $80 "
    "cover on claude haiku 4.5 at 3k in 400 out', 'is gpt-4-turbo retired'; a model's name "
    "alone ('gpt-4o') asks its price. Every answer ends with 'Read as: ...', the words that "
    "ask it again, and names the words it ignored.",
    "Also read: 'on groq' or 'via azure' (that seller's listing), 'with a 70% cache hit rate', "
    "'50/50', 'at 9am pacific', '1M words' or '2M characters' (about 3/4 of a word, or 4 "
    "characters, a token).",
    "Numbers: 1500, 1,500, 2k, 1.2M, 2 million, 2mil, 2 mln, 2 billion, 1.2 thousand.",
    "Charts: reply 'chart' in an answer's thread in Slack, or ask '/llmcost chart compare ...'; "
    "in a terminal, 'llmcost --chart FILE.png compare ...'.",
)


class HelpQuery(VerbQuery):
    kind: Literal["help"] = "help"
    topic: str | None = None


QUERY = HelpQuery


def render(query: HelpQuery) -> str:
    return f"help{' ' + query.topic if query.topic else ''}"


def follow_ups(previous: HelpQuery) -> list[str]:
    return [COMPARE_EXAMPLE, "help"]


def apply(previous: HelpQuery, reply: Reply) -> HelpQuery:
    raise CannotApply("There is no question in this thread to change; ask a whole one.")


def parse(after: str) -> HelpQuery:
    given = words(after)
    if not given:
        return HelpQuery()
    topic = given[0].lower()
    verb = registry.VERB_SYNONYMS.get(topic, topic)
    known = (*registry.VERBS, *TOPICS)
    if verb not in known:
        raise ParseError(
            f"There is no help on '{given[0]}'. Topics: {', '.join(known)}.",
            suggestions=[f"help {v}" for v in difflib.get_close_matches(topic, known, n=3)]
            or ["help"],
        )
    return HelpQuery(topic=verb)


def answer(query: HelpQuery, at: PricingDay) -> HelpAnswer:
    if query.topic is None:
        verbs = registry.all_verbs()
        lines = (
            *(f"{verb.name}: {verb.summary}" for verb in verbs),
            f"digest: {DIGEST_SUMMARY}",
            *GENERAL,
        )
        examples = tuple(verb.example for verb in verbs if verb.name != "help")
    elif query.topic in TOPICS:
        lines, examples = TOPICS[query.topic]
    else:
        verb = registry.load(query.topic)
        lines = (verb.summary, *verb.details)
        examples = (verb.example, *verb.more_examples)
    title = f"Help on {query.topic}" if query.topic else "llmcost: commands"
    return HelpAnswer(as_of=at.day, title=title, topic=query.topic, lines=lines, examples=examples)
