"""Every verb is complete: a missing rendering, help entry, example, engine or follow-up for a verb
fails here, not in a thread."""

import pkgutil
import subprocess
import sys
import types
from datetime import date
from typing import get_args

import pytest

import pricing.verbs
from pricing.answer import answer
from pricing.answers import HelpAnswer
from pricing.followup import follow_ups, refine
from pricing.parse import parse, render
from pricing.sources import load_book
from pricing.verbs.help import HelpQuery
from pricing.verbs.registry import (
    VERB_SYNONYMS,
    VERBS,
    all_verbs,
    examples,
    is_verb,
    load,
    query_union,
    verb_named,
)
from pricing.verbs.spec import Verb

TODAY = date(2026, 11, 24)
VERB_LIST = all_verbs()
BY_NAME = {verb.name: verb for verb in VERB_LIST}
EXAMPLES = examples()
NAMES = [verb.name for verb in VERB_LIST]


@pytest.fixture(scope="module")
def book():
    return load_book()


def _examples(name: str) -> list[str]:
    verb = BY_NAME[name]
    return [verb.example, *verb.more_examples]


def test_the_query_union_holds_each_verbs_query_under_its_name():
    members = get_args(get_args(query_union())[0])
    assert members == tuple(verb.query for verb in VERB_LIST)
    for verb in VERB_LIST:
        assert verb.query.model_fields["kind"].default == verb.name
    assert tuple(NAMES) == VERBS
    assert len(set(NAMES)) == len(NAMES)


def test_every_verb_module_is_registered():
    """A verb module left out of the registry would answer nothing."""
    modules = {info.name for info in pkgutil.iter_modules(pricing.verbs.__path__)}
    assert modules - {"spec", "registry"} == set(NAMES)


def test_synonyms_name_one_verb_each_and_no_verb_is_a_synonym():
    assert not set(VERB_SYNONYMS) & set(VERBS)
    synonyms = [synonym for verb in VERB_LIST for synonym in verb.synonyms]
    assert len(synonyms) == len(set(synonyms))
    for synonym, name in VERB_SYNONYMS.items():
        assert verb_named(synonym) is BY_NAME[name]
        assert is_verb(synonym.upper(), name)
    assert verb_named("nosuchverb") is None
    assert not is_verb("vs", "cost")


def test_a_verb_module_is_read_when_a_question_first_needs_it():
    """`llmcost compare ...` starts without the other verbs: only the registry names them all."""
    code = (
        "import sys; from pricing.parse import parse; parse('compare gpt-4o gpt-4.1 1M tokens'); "
        "print(sorted(m for m in sys.modules if m.startswith('pricing.verbs.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "pricing.verbs.compare" in loaded
    for name in ("budget", "finetune", "tokens", "breakeven", "history"):
        assert f"pricing.verbs.{name}'" not in loaded


def test_a_verb_module_without_its_contract_is_refused_by_name():
    lacking = types.ModuleType("pricing.verbs.lacking")
    lacking.QUERY = HelpQuery
    with pytest.raises(AttributeError, match="SUMMARY"):
        Verb.from_module(lacking)
    assert load("price").name == "price"


@pytest.mark.parametrize("name", NAMES)
def test_each_verb_has_a_summary_and_examples_that_are_its_own(name):
    verb = BY_NAME[name]
    assert verb.summary.strip()
    assert EXAMPLES[name] == verb.example
    for example in _examples(name):
        assert example.split()[0] == name
        assert parse(example).kind == name


@pytest.mark.parametrize("name", NAMES)
def test_each_verbs_examples_render_to_words_that_parse_the_same(name):
    for example in _examples(name):
        query = parse(example)
        assert render(query).split()[0] == name
        assert parse(render(query)) == query


@pytest.mark.parametrize("name", NAMES)
def test_each_verb_has_a_help_entry(name, book):
    overview = answer(HelpQuery(), book, TODAY)
    assert isinstance(overview, HelpAnswer)
    assert f"{name}: {BY_NAME[name].summary}" in overview.lines
    if name != "help":
        assert EXAMPLES[name] in overview.examples
    topic = answer(parse(f"help {name}"), book, TODAY)
    assert isinstance(topic, HelpAnswer)
    assert topic.topic == name
    assert topic.lines[0] == BY_NAME[name].summary
    assert topic.examples == tuple(_examples(name))


@pytest.mark.parametrize("name", NAMES)
def test_each_verbs_engine_answers_its_examples(name, book):
    for example in _examples(name):
        result = answer(parse(example), book, TODAY)
        assert result.kind == name
        assert result.title


@pytest.mark.parametrize("name", NAMES)
def test_each_verb_offers_follow_ups_that_apply(name):
    for example in _examples(name):
        previous = parse(example)
        offered = follow_ups(previous)
        assert offered, f"{name} offers no follow-ups"
        for text in offered:
            assert refine(text, previous) is not None, (example, text)
