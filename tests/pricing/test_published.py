"""The installed data written in the published format reads back through genai-prices' own
parser unchanged, and that parser is still the one pricing.catalog relies on."""

import inspect
import json

import pytest
from genai_prices import types
from genai_prices.data import providers as installed_providers

from pricing.catalog import PublishedDataError, read_published
from pricing.published import FileChanges, file_changes, installed_data, published_bytes
from tests.published_files import a_weeks_changes, drop_half, edited, installed_file


def test_the_installed_data_round_trips_through_genai_prices_parser() -> None:
    assert read_published(installed_file()).providers == installed_providers


def test_genai_prices_private_parser_is_the_one_llmcost_was_written_against() -> None:
    # pricing.catalog.read_published calls genai_prices.types._providers_from_raw, a private
    # function (its UpdatePrices.fetch uses it). If an upgrade renames it, changes what it takes,
    # or stops validating, this fails first: read pricing/catalog.py's read_published again.
    parser = getattr(types, "_providers_from_raw", None)
    assert parser is not None, "genai-prices no longer has types._providers_from_raw"
    assert list(inspect.signature(parser).parameters)[:1] == ["raw_providers"]
    assert parser(json.loads(installed_file())) == installed_providers
    with pytest.raises(Exception, match="validation"):
        parser([{"id": "x"}])


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b'[{"id": "openai", "na', "not JSON"),
        (b'{"providers": []}', "expected a JSON array of providers"),
        (b'[{"id": "openai"}]', "fails genai-prices' validation"),
        (b"\xff\xfe", "not JSON"),
    ],
)
def test_a_file_genai_prices_does_not_accept_is_refused_with_its_reason(
    raw: bytes, problem: str
) -> None:
    with pytest.raises(PublishedDataError, match=problem):
        read_published(raw)


def test_changes_count_models_added_dropped_and_repriced() -> None:
    before = json.loads(installed_file())
    after = json.loads(edited(a_weeks_changes))

    changes = file_changes(before, after)

    assert (changes.added, changes.dropped, changes.prices_changed) == (1, 1, 2)
    assert changes.models_changed == 2
    assert changes.too_many_dropped() is None
    assert file_changes(before, before).models_changed == 0


def test_a_file_dropping_more_than_a_fifth_of_the_models_is_refused() -> None:
    changes = file_changes(json.loads(installed_file()), json.loads(edited(drop_half)))
    assert "would drop" in (changes.too_many_dropped() or "")
    # A fifth exactly is a heavy week, not a broken file.
    assert (
        FileChanges(added=0, dropped=20, known_before=100, prices_changed=0).too_many_dropped()
        is None
    )
    assert FileChanges(added=0, dropped=21, known_before=100, prices_changed=0).too_many_dropped()


def test_numbers_keep_their_digits_through_the_published_form() -> None:
    data = json.loads(published_bytes(installed_data()))
    assert read_published(published_bytes(data)).providers == installed_providers
