"""The model asked is the model priced (issue 18): every id llmcost prints asks for that model,
a name that matches none is refused with "did you mean", resellers' ids carry no false note,
and a maker's name filters by maker."""

import pytest

from pricing.errors import UnknownModel
from tests.pricing.asking import ask


def test_every_id_llmcost_prints_resolves_back_to_that_model(book):
    """A property over every tariff's id (the `Model` column of `price`, `models` and
    `cheapest`): all ~2,000 of them, not a sample."""
    wrong = [
        (tariff.model, found.model)
        for tariff in book.tariffs()
        if (found := book.resolve(tariff.model)).model != tariff.model
    ]

    assert wrong == []


def test_perplexity_sonar_asked_by_its_printed_id_is_that_model(book):
    (shown,) = ask(book, "price sonar").rows
    (asked,) = ask(book, "price perplexity/sonar").rows

    assert shown.model == asked.model == "perplexity/sonar"
    assert (asked.input_per_mtok, asked.output_per_mtok) == (1, 1)


def test_a_name_that_is_another_version_is_refused_with_did_you_mean(book):
    with pytest.raises(UnknownModel) as raised:
        ask(book, "price claude-mythos-5")

    assert "claude-mythos-5" in raised.value.message
    assert raised.value.suggestions == ["claude-mythos-5-2"]
    # A name the maker's one id holds, adding no number, is still that model.
    (opus,) = ask(book, "price claude 3 opus").rows
    assert opus.model == "anthropic/claude-3-opus-latest"


def test_three_part_ids_asked_exactly_carry_no_reseller_note(book):
    resold = [t for t in book.tariffs() if t.model.count("/") >= 2][:300]
    assert len(resold) == 300

    noted = [
        tariff.model
        for tariff in resold
        if any(
            "no price of its own" in note
            for note in ask(book, f"cost {tariff.model} 1M tokens").notes
        )
    ]
    assert noted == []
    # A reseller that genai-prices prices as the vendor's model is still said to be one.
    azure = ask(book, "compare gpt-4o azure/gpt-4o 1M tokens")
    assert any("no price of its own for azure" in note for note in azure.notes)


def test_a_makers_name_filters_by_maker_and_via_names_the_reseller(book):
    own = ask(book, "cheapest openai 1M tokens").rows
    resold = ask(book, "cheapest openai via openrouter 1M tokens").rows
    listed = ask(book, "models openai").rows

    assert own
    assert {row.provider for row in own} == {"openai"}
    assert resold
    assert {row.provider for row in resold} == {"openrouter"}
    assert all("openai" in row.model_id for row in resold)
    assert {row.provider for row in listed} == {"openai"}
    # Ids that only prefix others are prices, not models anyone asks for.
    assert not any(row.model.endswith("-") for row in listed)
