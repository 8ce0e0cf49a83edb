"""The model picker's search (issue 22): every model a question can ask for, found by a few
typed letters from an index built once per book; names typed whole first, then the makers' own
listings, then resellers', newest first; at most Slack's 100 options."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.model_search import MOST_LABEL_CHARS, MOST_OPTIONS, ModelIndex, grouped
from pricing.sources import load_book
from pricing.tariffs import TariffBook


@pytest.fixture(scope="module")
def index(book: TariffBook) -> ModelIndex:
    return ModelIndex.of(book)


def values(index: ModelIndex, typed: str) -> list[str]:
    return [choice.value for choice in index.search(typed)]


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("gpt-4o", "gpt-4o"),  # an id typed whole, before gpt-4o-mini and resellers' gpt-4o
        ("GPT 4o", "gpt-4o"),
        ("gpt-4-8k", "gpt-4"),  # llmcost's own alias
        ("ft-gpt-3.5", "ft-gpt-3.5"),
        ("gemini 2.5 flash", "gemini-2.5-flash"),  # words typed as the id's parts
        ("sonnet 4.5", "claude-sonnet-4-5"),  # the maker's listing before aws's and openrouter's
    ],
)
def test_a_name_typed_whole_comes_first(index, typed, first):
    assert values(index, typed)[0] == first


def test_a_words_start_finds_models_newest_first(index, book):
    found = values(index, "son")
    assert "claude-sonnet-4-5" in found
    makers = [value for value in found if book.find(value).is_makers_listing]
    assert found[: len(makers)] == makers  # the makers' own listings first
    assert (
        found.index("claude-sonnet-4-5")
        < found.index("claude-3-5-sonnet")
        < found.index("claude-3-sonnet")
    )


def test_a_maker_finds_its_models(index, book):
    found = index.search("anthropic")
    assert len(found) == MOST_OPTIONS
    assert {choice.provider for choice in found[:10]} == {"anthropic"}


def test_nothing_typed_shows_todays_main_models_in_the_books_order(index, book):
    own = [t for t in book.own_tariffs() if not t.is_prefix]
    shown = index.search("")
    assert [book.find(choice.value) for choice in shown] == own[:MOST_OPTIONS]


def test_words_that_find_nothing_find_nothing(index):
    assert index.search("zzzz") == []
    assert index.search("gpt zzzz") == []
    assert index.search("x" * 5000) == []
    assert index.search("!!! ???") == []


def test_every_value_asks_for_its_own_model(index, book):
    for typed in ("gpt", "claude", "llama", "gemini", "mistral", "groq", "ft"):
        for choice in index.search(typed):
            assert book.lookup(choice.value) is book.find(choice.value), choice
            assert len(choice.label) <= MOST_LABEL_CHARS
            assert len(choice.value) <= 150


def test_every_model_a_name_leads_to_is_found_by_that_name(index, book):
    assert len(index) > 2000
    for tariff in [t for t in book.tariffs() if not t.is_prefix][::25]:
        if book.find(tariff.model) is not tariff:
            continue  # another listing answers to its id: it is asked for by that one
        found = index.search(tariff.model, limit=10_000)
        assert any(book.find(choice.value) is tariff for choice in found), tariff.model


def test_the_index_is_built_once_per_book(book):
    assert ModelIndex.of(book) is ModelIndex.of(book)
    assert ModelIndex.of(load_book()) is not ModelIndex.of(book)  # a new price file: a new index


def test_choices_group_by_provider_in_the_order_of_their_best(index):
    groups = grouped(index.search("llama 70b"))
    providers = [provider for provider, _ in groups]
    assert len(providers) == len(set(providers))
    assert sum(len(listed) for _, listed in groups) == len(index.search("llama 70b"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_searched_without_error(index, typed):
    found = index.search(typed)
    assert len(found) <= MOST_OPTIONS
