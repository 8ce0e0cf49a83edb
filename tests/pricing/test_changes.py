"""Tariff changes between two dates: cuts, rises, netting, boundaries, new and retired models,
and watch lists."""

import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.changes import (
    MAIN_PROVIDERS,
    ModelAdded,
    ModelRetired,
    PriceChange,
    TariffChanges,
    catalog_changes,
    check_watch,
    match_watch,
    merge_changes,
    percent_change,
    tariff_changes,
)
from pricing.errors import UnknownModel
from pricing.sources import load_book, read_tariff_file, tariffs_from_records
from pricing.tariffs import PriceEntry, Tariff, TariffBook

ROOT = Path(__file__).resolve().parent.parent.parent
DIGEST_FILE = ROOT / "tests" / "data" / "digest_tariffs.toml"
SINCE = date(2026, 11, 23)
UNTIL = date(2026, 11, 30)


def fixture_book() -> TariffBook:
    records = read_tariff_file(DIGEST_FILE.read_text(encoding="utf-8"), "digest_tariffs.toml")
    return TariffBook(tariffs_from_records(records, origin="user", default_source="test file"))


@pytest.fixture(scope="module")
def book() -> TariffBook:
    return fixture_book()


@pytest.fixture(scope="module")
def week(book) -> TariffChanges:
    return tariff_changes(book, since=SINCE, until=UNTIL)


@pytest.fixture(scope="module")
def real_book() -> TariffBook:
    return load_book(None)


def entry(day: str | None, inp: str, out: str, **fields) -> PriceEntry:
    return PriceEntry(
        effective=date.fromisoformat(day) if day else None,
        input_per_mtok=Decimal(inp),
        output_per_mtok=Decimal(out),
        source=fields.pop("source", f"test {day}"),
        origin=fields.pop("origin", "bundled"),
        **fields,
    )


def tariff(model: str, *entries: PriceEntry, **fields) -> Tariff:
    return Tariff(model=model, provider=fields.pop("provider", "acme"), entries=entries, **fields)


def changed(changes: TariffChanges) -> dict[tuple[str, str], PriceChange]:
    return {(c.model, c.price): c for c in (*changes.cuts, *changes.rises)}


# --- cuts, rises, netting -----------------------------------------------------------------------


def test_a_cut_has_old_new_percent_date_and_source(week):
    cut = changed(week)["cutter", "input"]

    assert cut.is_cut
    assert (cut.old, cut.new, cut.percent) == (Decimal(10), Decimal(5), Decimal(-50))
    assert cut.effective == date(2026, 11, 25)
    assert cut.source == "Acme price list, 2026-11-25"
    assert (cut.name, cut.provider) == ("Cutter", "acme")
    assert ("cutter", "output") not in changed(week)  # the output price stayed


def test_a_rise(week):
    rise = changed(week)["riser", "input"]

    assert rise in week.rises
    assert (rise.old, rise.new, rise.percent) == (Decimal(1), Decimal("1.5"), Decimal(50))
    assert rise.effective == date(2026, 11, 27)


def test_two_changes_in_the_window_net_out(week):
    net = changed(week)["netter", "input"]

    assert (net.old, net.new, net.percent) == (Decimal(4), Decimal(3), Decimal(-25))
    assert net.effective == date(2026, 11, 28)


def test_up_and_back_down_is_no_change(week):
    assert not {key for key in changed(week) if key[0] == "bouncer"}


def test_a_price_stated_again_is_no_change(week):
    assert not {key for key in changed(week) if key[0] == "restated"}


def test_the_window_excludes_since_and_includes_until(week):
    models = {model for model, _price in changed(week)}

    assert "on-since" not in models
    assert "later" not in models
    assert changed(week)["on-until", "input"].effective == UNTIL
    assert changed(week)["on-until", "output"].percent == Decimal(-50)


def test_the_next_window_has_what_this_one_left_out(book):
    last_week = tariff_changes(book, since=SINCE - timedelta(days=7), until=SINCE)
    next_week = tariff_changes(book, since=UNTIL, until=UNTIL + timedelta(days=7))

    assert ("on-since", "input") in changed(last_week)
    assert ("later", "input") in changed(next_week)
    assert ("on-until", "input") not in changed(next_week)


def test_a_training_price_change(week):
    training = changed(week)["trainee", "training"]

    assert (training.old, training.new, training.percent) == (Decimal(8), Decimal(6), Decimal(-25))
    assert ("trainee", "input") not in changed(week)


def test_an_entry_without_a_training_price_keeps_the_earlier_one(week):
    assert ("keeper", "training") not in changed(week)
    assert ("keeper", "output") in changed(week)


def test_a_rise_from_zero_has_no_percent_and_comes_first(week):
    rise = changed(week)["freebie", "output"]

    assert rise.percent is None
    assert week.rises[0] == rise
    assert ("freebie", "input") not in changed(week)


def test_percent_change():
    assert percent_change(Decimal(3), Decimal(2)) == Decimal("-33.33")
    assert percent_change(Decimal(0), Decimal(1)) is None
    assert percent_change(Decimal("0.15"), Decimal("0.6")) == Decimal(300)


# --- new and retired models ---------------------------------------------------------------------


def test_a_new_model_is_added_at_the_prices_of_the_windows_end(week):
    (added,) = week.added

    assert added == ModelAdded(
        model="newbie",
        name="Newbie",
        provider="acme",
        effective=date(2026, 11, 26),
        input_per_mtok=Decimal("0.5"),
        output_per_mtok=Decimal(2),
        training_per_mtok=Decimal(3),
        context_window=32000,
        source="Acme launch week discount, 2026-11-29",
    )
    assert "newbie" not in {model for model, _price in changed(week)}


def test_a_retired_model_with_its_last_price(week):
    (retired,) = week.retired

    assert retired == ModelRetired(
        model="oldie",
        name="Oldie",
        provider="beta",
        retired=date(2026, 11, 27),
        input_per_mtok=Decimal(2),
        output_per_mtok=Decimal(4),
        source="Beta price list, 2025-06-01",
    )


def test_a_model_retired_before_the_window_has_no_news(week):
    assert "gone" not in {item.model for item in week.items()}


def test_undated_prices_are_never_a_change():
    undated = tariff("undated", entry(None, "1", "2"))
    book = TariffBook([undated])

    changes = tariff_changes(book, since=date(2000, 1, 1), until=date(2100, 1, 1))

    assert changes.is_empty


def test_a_dated_price_after_an_undated_one_is_a_change():
    # The catalog's shape: a price without a start date, then a dated new one.
    catalog_like = tariff("cat", entry(None, "1", "6"), entry("2026-11-25", "0.2", "1.2"))
    book = TariffBook([catalog_like])

    changes = tariff_changes(book, since=SINCE, until=UNTIL)

    assert [(c.price, c.old, c.new) for c in changes.cuts] == [
        ("input", Decimal(1), Decimal("0.2")),
        ("output", Decimal(6), Decimal("1.2")),
    ]
    assert not changes.added


def test_since_must_be_before_until(book):
    with pytest.raises(ValueError, match="before"):
        tariff_changes(book, since=UNTIL, until=UNTIL)
    with pytest.raises(ValueError, match="before"):
        tariff_changes(book, since=UNTIL, until=SINCE)


def test_tariffs_limits_what_is_compared(book):
    only = [book.resolve("cutter")]

    changes = tariff_changes(book, since=SINCE, until=UNTIL, tariffs=only)

    assert {item.model for item in changes.items()} == {"cutter"}


# --- order --------------------------------------------------------------------------------------


def test_cuts_biggest_first_rises_biggest_first(week):
    assert [c.percent for c in week.cuts] == sorted(c.percent for c in week.cuts)
    percents = [c.percent for c in week.rises if c.percent is not None]
    assert percents == sorted(percents, reverse=True)
    assert all(c.is_cut for c in week.cuts)
    assert not any(c.is_cut for c in week.rises)


def test_added_and_retired_by_date_then_name():
    def new(model: str, day: str) -> Tariff:
        return tariff(model, entry(day, "1", "1"), name=model.title())

    book = TariffBook(
        [new("zeta", "2026-11-25"), new("beta", "2026-11-26"), new("alpha", "2026-11-26")]
    )

    changes = tariff_changes(book, since=SINCE, until=UNTIL)

    assert [item.model for item in changes.added] == ["zeta", "alpha", "beta"]


def test_equal_cuts_are_ordered_by_name_then_price():
    book = TariffBook(
        [
            tariff("b", entry("2026-01-01", "2", "2"), entry("2026-11-25", "1", "1")),
            tariff("a", entry("2026-01-01", "2", "2"), entry("2026-11-25", "1", "1")),
        ]
    )

    cuts = tariff_changes(book, since=SINCE, until=UNTIL).cuts

    assert [(c.model, c.price) for c in cuts] == [
        ("a", "input"),
        ("a", "output"),
        ("b", "input"),
        ("b", "output"),
    ]


def test_is_empty_and_count(week):
    assert not week.is_empty
    assert week.count == len(week.items())
    assert TariffChanges(since=SINCE, until=UNTIL).is_empty


# --- netting, as a property --------------------------------------------------------------------

START = date(2026, 1, 1)
PRICES = st.sampled_from([Decimal(v) for v in ("0", "1", "1.5", "2", "3")])


@st.composite
def histories(draw) -> list[Tariff]:
    """Tariffs that all have prices before any window (so none is 'added'), then dated changes
    on distinct days of a 40-day stretch, some not restating the training price."""
    tariffs = []
    for number in range(draw(st.integers(1, 4))):
        days = draw(st.sets(st.integers(1, 40), max_size=5))
        entries = [entry(START.isoformat(), "1", "1", training_per_mtok=draw(PRICES))]
        entries += [
            entry(
                day.isoformat(),
                str(draw(PRICES)),
                str(draw(PRICES)),
                training_per_mtok=draw(st.none() | PRICES),
            )
            for day in sorted(START + timedelta(days=d) for d in days)
        ]
        tariffs.append(tariff(f"m{number}", *entries))
    return tariffs


def in_force(item: Tariff, kind: str, day: date) -> Decimal | None:
    if kind == "training":
        return item.training_price_at(day)
    at = item.entry_at(day)
    assert at is not None
    return getattr(at, f"{kind}_per_mtok")


@settings(max_examples=150, deadline=None)
@given(histories(), st.lists(st.integers(0, 45), min_size=3, max_size=3, unique=True))
def test_changes_compose_across_adjacent_windows(tariffs, offsets):
    a, b, c = sorted(START + timedelta(days=offset) for offset in offsets)
    book = TariffBook(tariffs)

    first = changed(tariff_changes(book, since=a, until=b))
    second = changed(tariff_changes(book, since=b, until=c))
    whole = changed(tariff_changes(book, since=a, until=c))

    for key in first.keys() & second.keys():
        assert first[key].new == second[key].old  # one price in force on b
    for key in first.keys() | second.keys() | whole.keys():
        old = first[key].old if key in first else second[key].old
        new = second[key].new if key in second else first[key].new
        if old == new:
            assert key not in whole  # the two windows' changes net out
            continue
        change = whole[key]
        assert (change.old, change.new) == (old, new)
        # The last day the price changed on: the second window's, if it reports one; else at
        # or after the first's (the second window may hold changes that net out).
        if key in second:
            assert change.effective == second[key].effective
        else:
            assert first[key].effective <= change.effective <= c
    # And against the prices in force on each day, read off the tariffs directly.
    for item in tariffs:
        for kind in ("input", "output", "training"):
            before, after = in_force(item, kind, a), in_force(item, kind, c)
            assert ((item.model, kind) in whole) == (before != after)
            if (item.model, kind) in whole:
                day = whole[item.model, kind].effective
                assert in_force(item, kind, day) != in_force(item, kind, day - timedelta(1))


# --- watch lists --------------------------------------------------------------------------------


def test_watching_a_provider_keeps_its_tariffs_only(book, week):
    narrowed = week.narrowed(match_watch(book, ["acme"]))

    assert narrowed.items()
    assert {item.provider for item in narrowed.items()} == {"acme"}
    assert narrowed.added == week.added  # newbie is acme's
    assert narrowed.retired == ()  # oldie is beta's


def test_watching_a_model_by_any_name(real_book):
    changes = tariff_changes(real_book, since=date(2024, 9, 25), until=date(2024, 10, 3))

    for term in ("gpt-4o", "GPT4o", "openai/gpt-4o"):
        assert {c.model for c in changes.narrowed(match_watch(real_book, [term])).items()} == {
            "gpt-4o"
        }
    assert changes.narrowed(match_watch(real_book, ["gpt-4-8k"])).is_empty


def test_a_model_term_matches_that_tariff_only(real_book):
    keep = match_watch(real_book, ["gpt-4"])
    changes = tariff_changes(real_book, since=date(2000, 1, 1), until=date(2100, 1, 1))

    assert {item.model for item in changes.narrowed(keep).items()} == {"gpt-4"}


def test_no_terms_keep_everything_of_ones_own_tariffs(week, book):
    assert week.narrowed(match_watch(book, [])) == week


def test_no_terms_leave_resellers_out_until_they_are_watched(real_book):
    changes = tariff_changes(real_book, since=date(2000, 1, 1), until=date(2100, 1, 1))
    own = {tariff.model for tariff in real_book.own_tariffs()}
    resold = [i for i in changes.items() if i.provider not in MAIN_PROVIDERS and i.model not in own]
    assert resold, "the installed genai-prices has dated reseller prices"

    default = changes.narrowed(match_watch(real_book, [])).items()

    assert {i.provider for i in default} <= MAIN_PROVIDERS | {"openai"}
    assert {i.model for i in changes.items() if i.model in own} <= {i.model for i in default}
    reseller = resold[0].provider
    watched = changes.narrowed(match_watch(real_book, [reseller])).items()
    assert {i.provider for i in watched} == {reseller}


def test_check_watch_gives_canonical_terms(real_book):
    terms = check_watch(real_book, ["OpenAI", "gpt-4-8k", " GPT4o ", "openai", ""])

    assert terms == ("openai", "gpt-4-8k", "gpt-4o")


def test_check_watch_knows_alias_and_provider_ids(real_book):
    assert check_watch(real_book, ["anthropic", "google", "ft-gpt-3.5"]) == (
        "anthropic",
        "google",
        "ft-gpt-3.5",
    )


@pytest.mark.parametrize(
    ("term", "suggested"), [("opnai", "openai"), ("antropic", "anthropic"), ("gpt-4o-mni", None)]
)
def test_an_unknown_watch_term_says_what_works(real_book, term, suggested):
    with pytest.raises(UnknownModel) as caught:
        check_watch(real_book, ["openai", term])

    error = caught.value
    assert f"'{term}'" in error.message
    assert "provider" in error.message
    assert "model" in error.message
    assert error.suggestions
    if suggested:
        assert error.suggestions[0] == suggested
    else:
        assert "gpt-4o-mini" in error.suggestions


def test_a_term_the_book_no_longer_knows_matches_nothing(book, week):
    narrowed = week.narrowed(match_watch(book, ["no-such-model"]))

    assert narrowed.is_empty


# --- speed --------------------------------------------------------------------------------------


def test_the_full_catalog_is_diffed_fast(real_book):
    real_book.tariffs()  # the catalog loads once per process; that is not the diff's cost
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        tariff_changes(real_book, since=date(2026, 10, 1), until=date(2026, 11, 30))
        best = min(best, time.perf_counter() - started)

    assert best < 0.05


# --- other dimensions --------------------------------------------------------------------------


def test_a_batch_launch_and_a_cache_rate_are_changes_in_their_dimensions(real_book):
    changes = tariff_changes(real_book, since=date(2024, 4, 1), until=date(2024, 10, 1))
    found = {(c.model, c.tier, c.price): c for c in changes.cuts}

    batch = found[("gpt-4-turbo", "batch", "input")]
    assert (batch.old, batch.new, batch.effective) == (Decimal(10), Decimal(5), date(2024, 4, 15))
    assert "Batch API" in batch.source
    autumn = tariff_changes(real_book, since=date(2024, 9, 1), until=date(2024, 10, 1))
    cached = {(c.model, c.tier, c.price): c for c in autumn.cuts}[
        ("gpt-4o-mini", "standard", "cache_read")
    ]
    assert (cached.old, cached.new, cached.effective) == (
        Decimal("0.15"),
        Decimal("0.075"),
        date(2024, 10, 1),
    )
    assert not changes.rises
    assert not autumn.rises


def test_a_standard_price_change_is_not_repeated_for_tiers_the_model_lacks(book):
    old = entry("2026-01-01", "2", "8", cache_read_per_mtok=Decimal("0.2"))
    new = entry("2026-02-01", "1", "4", cache_read_per_mtok=Decimal("0.2"))
    changes = tariff_changes(
        TariffBook([tariff("acme-x", old, new)]), since=date(2026, 1, 15), until=date(2026, 2, 15)
    )

    assert sorted((c.tier, c.price) for c in changes.cuts) == [
        ("standard", "input"),
        ("standard", "output"),
    ]


# --- between two stored catalogs ----------------------------------------------------------------


def published_before() -> list[Tariff]:
    return [
        tariff("steady", entry(None, "1", "2")),
        tariff("cheaper", entry(None, "4", "8")),
        tariff("gone", entry(None, "3", "6")),
    ]


def published_after() -> list[Tariff]:
    # Published after the window began, "cheaper"'s cut carries a date before it.
    return [
        tariff("steady", entry(None, "1", "2")),
        tariff("cheaper", entry(None, "4", "8"), entry("2026-11-10", "2", "8")),
        tariff("new-one", entry(None, "5", "10")),
    ]


def test_a_later_file_reports_added_dropped_and_a_cut_dated_before_the_window():
    changes = catalog_changes(published_before(), published_after(), since=SINCE, until=UNTIL)

    cut = changed(changes)["cheaper", "input"]
    assert (cut.old, cut.new, cut.effective) == (Decimal(4), Decimal(2), date(2026, 11, 10))
    assert list(changed(changes)) == [("cheaper", "input")]
    assert [(a.model, a.effective, a.input_per_mtok) for a in changes.added] == [
        ("new-one", UNTIL, Decimal(5))
    ]
    assert [(r.model, r.retired) for r in changes.retired] == [("gone", UNTIL)]
    # The dated diff of the newer catalog alone misses the cut: it is dated before the window.
    assert tariff_changes(TariffBook(published_after()), since=SINCE, until=UNTIL).is_empty


def test_the_same_file_twice_changes_nothing():
    same = published_after()
    assert catalog_changes(same, same, since=SINCE, until=UNTIL).is_empty


def test_a_change_both_sources_saw_is_reported_once():
    dated = tariff("cheaper", entry(None, "4", "8"), entry("2026-11-25", "2", "8"))
    first = tariff_changes(TariffBook([dated]), since=SINCE, until=UNTIL)
    published = catalog_changes(published_before(), published_after(), since=SINCE, until=UNTIL)

    merged = merge_changes(first, published)

    assert [(c.model, c.price, c.new) for c in merged.cuts] == [("cheaper", "input", Decimal(2))]
    assert merged.cuts[0].effective == date(2026, 11, 25)  # the first source to see it
    assert [a.model for a in merged.added] == ["new-one"]
    assert [r.model for r in merged.retired] == ["gone"]
    assert merge_changes(merged, published) == merged
