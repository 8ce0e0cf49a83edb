"""A digest's content: the changes a channel watches, the standing question, and the caches
that let one run compose for many channels."""

import gc
from datetime import date
from pathlib import Path

import pytest

from bot.digests import content as digest_content
from bot.digests.content import STANDING_QUESTION, Digest, compose, standing_answer
from pricing.answer import answer
from pricing.answers import PricedAnswer
from pricing.parse import parse
from pricing.sources import load_book, read_tariff_file, tariffs_from_records
from pricing.tariffs import TariffBook

ROOT = Path(__file__).resolve().parents[3]
DIGEST_FILE = ROOT / "tests" / "data" / "digest_tariffs.toml"
SINCE = date(2026, 11, 23)
UNTIL = date(2026, 11, 30)


def fixture_book() -> TariffBook:
    """The test tariffs over the bundled ones, so the standing question can be answered."""
    records = read_tariff_file(DIGEST_FILE.read_text(encoding="utf-8"), "digest_tariffs.toml")
    own = tariffs_from_records(records, origin="user", default_source="test file")
    bundled = load_book(None, with_catalog=False).own_tariffs()
    return TariffBook([*own, *bundled])


@pytest.fixture(scope="module")
def book() -> TariffBook:
    return fixture_book()


@pytest.fixture(scope="module")
def real_book() -> TariffBook:
    return load_book(None)


def test_the_standing_question_prices_today_without_warnings(real_book):
    result = answer(parse(STANDING_QUESTION), real_book, today=date(2026, 11, 30))

    assert isinstance(result, PricedAnswer)
    assert result.kind == "compare"
    assert [row.model_id for row in result.rows] == ["gpt-4.1", "ft:gpt-4.1-mini"]
    # Only the shutdown OpenAI announced on 2026-10-14 (fine-tunes retire with their base).
    warnings = [warning for row in result.rows for warning in row.warnings]
    assert all("shuts down on 2027-01-14" in warning for warning in warnings)
    assert not any("retire" in note or "shut" in note for note in result.notes)
    assert result.summary


def test_a_digest_has_every_change_and_the_standing_answer(book):
    digest = compose(book, since=SINCE, until=UNTIL)

    assert isinstance(digest, Digest)
    assert not digest.is_quiet
    assert (digest.since, digest.until, digest.watch) == (SINCE, UNTIL, ())
    assert digest.standing is not None
    assert digest.standing.as_of == UNTIL
    assert {item.model for item in digest.changes.items()} >= {"cutter", "riser", "newbie"}


def test_a_watch_list_narrows_the_changes(book):
    digest = compose(book, since=SINCE, until=UNTIL, watch=("beta",))

    assert digest.watch == ("beta",)
    assert {item.provider for item in digest.changes.items()} == {"beta"}
    assert digest.changes.retired  # oldie is beta's


def test_a_quiet_digest_has_no_standing_answer(book):
    digest = compose(book, since=SINCE, until=UNTIL, watch=("gpt-4o",))

    assert digest.is_quiet
    assert digest.standing is None


def test_a_standing_question_without_prices_yet_is_left_out(real_book):
    # gpt-4.1 had no price in 2024: the digest of that week still comes, without the view.
    digest = compose(real_book, since=date(2024, 9, 25), until=date(2024, 10, 3))

    assert not digest.is_quiet
    assert digest.standing is None


def test_composing_for_many_channels_diffs_the_book_once(book, monkeypatch):
    calls = []
    real = digest_content.tariff_changes

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(digest_content, "tariff_changes", counting)
    since = date(2026, 11, 16)  # a window no other test composed
    digests = [
        compose(book, since=since, until=SINCE, watch=watch)
        for watch in [(), ("acme",), ("beta",), ("cutter",)] * 250
    ]

    assert len(calls) == 1
    assert digests[0].changes == digests[4].changes
    assert standing_answer(book, SINCE) is standing_answer(book, SINCE)


def test_a_new_book_is_never_served_an_old_books_changes():
    first = fixture_book()
    before = compose(first, since=SINCE, until=UNTIL)
    del first
    gc.collect()
    # An empty book, possibly at the same address as the freed one.
    empty = TariffBook([])

    assert not before.is_quiet
    assert compose(empty, since=SINCE, until=UNTIL).is_quiet


def test_the_cache_stays_small(book):
    for day in range(1, 30):
        compose(book, since=date(2026, 10, day), until=date(2026, 10, day + 1))

    assert len(digest_content._changes_cache._entries) <= 8
