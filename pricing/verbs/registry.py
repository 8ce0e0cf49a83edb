"""Every verb, named: the synonyms, the dispatch that `pricing.parse`, `pricing.followup` and
`pricing.answer` use, the examples and the Query union. A verb is its module
(`pricing.verbs.<name>`, see `pricing.verbs.spec`) plus its line in CALLED_BY here.

A verb's module is imported the first time a question needs it, so a terminal asking `compare`
starts without loading the other verbs (`llmcost` is started once per question)."""

import functools
import importlib
import operator
from typing import Annotated, Any

from pydantic import Field

from pricing.query import VerbQuery
from pricing.verbs.spec import Verb

# Each verb and the other words that call it, in the order 'help' lists them; the verb itself
# is the module pricing.verbs.<name> (see pricing.verbs.spec for what that module holds).
CALLED_BY: dict[str, tuple[str, ...]] = {
    "compare": ("vs",),
    "cost": (),
    "cheapest": ("rank",),
    "finetune": ("fine-tune", "finetuning", "fine-tuning", "train"),
    "breakeven": ("break-even", "payback"),
    "tokens": ("token", "count"),
    "models": ("model", "list"),
    "price": ("prices",),
    "history": (),
    "lifecycle": ("retired", "retirements", "shutdowns", "deprecations"),
    "budget": (),
    "help": ("?",),
}
VERBS = tuple(CALLED_BY)
VERB_SYNONYMS = {synonym: name for name, synonyms in CALLED_BY.items() for synonym in synonyms}

# Any question, in annotations: every verb's Query model is one (`query_union` tells them apart).
Query = VerbQuery


@functools.cache
def load(name: str) -> Verb:
    """The verb called `name` (one of VERBS), its module imported on first use."""
    synonyms = CALLED_BY[name]  # KeyError for a name no verb has, before importing anything
    return Verb.from_module(importlib.import_module(f"{__package__}.{name}"), synonyms)


def all_verbs() -> tuple[Verb, ...]:
    """Every verb, in the order 'help' lists them (this imports them all)."""
    return tuple(load(name) for name in VERBS)


def examples() -> dict[str, str]:
    """Each verb's one example, by name."""
    return {verb.name: verb.example for verb in all_verbs()}


@functools.cache
def query_union() -> Any:
    """Every question's model, discriminated on `kind`."""
    members = functools.reduce(operator.or_, (verb.query for verb in all_verbs()))
    return Annotated[members, Field(discriminator="kind")]


def verb_named(word: str) -> Verb | None:
    """The verb a word names, itself or by a synonym ('vs' -> compare); None for any other."""
    name = VERB_SYNONYMS.get(word, word)
    return load(name) if name in CALLED_BY else None


def verb_of(query: Query) -> Verb:
    """The verb that asks `query`."""
    return load(query.kind)


def is_verb(word: str, name: str) -> bool:
    """Whether `word` names the verb called `name`, itself or by a synonym."""
    return VERB_SYNONYMS.get(word.lower(), word.lower()) == name
