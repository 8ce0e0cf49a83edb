"""Every verb, gathered: the Query union, the examples, the synonyms and the dispatch that
`pricing.parse`, `pricing.followup` and `pricing.answer` use. A verb is added here, once."""

import functools
import operator
from typing import Annotated, Any

from pydantic import Field

from pricing.verbs import (
    breakeven,
    budget,
    cheapest,
    compare,
    cost,
    finetune,
    help,
    history,
    models,
    price,
    tokens,
)
from pricing.verbs.spec import Verb


def _catalog() -> tuple[Verb, ...]:
    return VERB_LIST


# In the order 'help' lists them.
VERB_LIST: tuple[Verb, ...] = (
    compare.VERB,
    cost.VERB,
    cheapest.VERB,
    finetune.VERB,
    breakeven.VERB,
    tokens.VERB,
    models.VERB,
    price.VERB,
    history.VERB,
    budget.VERB,
    help.make_verb(_catalog),
)
BY_NAME: dict[str, Verb] = {verb.name: verb for verb in VERB_LIST}
VERBS = tuple(BY_NAME)
EXAMPLES = {verb.name: verb.example for verb in VERB_LIST}
VERB_SYNONYMS = {synonym: verb.name for verb in VERB_LIST for synonym in verb.synonyms}

# Every question, discriminated on `kind`.
Query: Any = Annotated[
    functools.reduce(operator.or_, (verb.query for verb in VERB_LIST)),
    Field(discriminator="kind"),
]


def verb_named(word: str) -> Verb | None:
    """The verb a word names, itself or by a synonym ('vs' -> compare); None for any other."""
    return BY_NAME.get(VERB_SYNONYMS.get(word, word))


def verb_of(query: Any) -> Verb:
    """The verb that asks `query`."""
    return BY_NAME[query.kind]


def is_verb(word: str, name: str) -> bool:
    """Whether `word` names the verb called `name`, itself or by a synonym."""
    verb = verb_named(word.lower())
    return verb is not None and verb.name == name
