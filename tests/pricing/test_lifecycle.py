"""Retirements and existence: shut-down models priced with a warning, fine-tunes retiring with
their base, the fine-tuning wind-down, models that did not exist yet, and `cheapest` leaving
out what cannot be recommended on the day asked."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.errors import NoPrice, TariffFileError
from pricing.sources import load_book, read_tariff_document
from tests.pricing.asking import LAUNCH, TODAY, ask


def test_gpt_4_is_priced_and_said_to_be_shut_down(book):
    row = ask(book, "cost gpt-4 1M in 1M out").rows[0]

    assert row.total_usd == Decimal("90")
    assert any(
        "shut down on 2026-10-23" in warning and "gpt-5.6-sol" in warning
        for warning in row.warnings
    )


def test_an_announced_shutdown_is_said_before_it_happens(book):
    after_notice = ask(book, "cost gpt-4 1M in 1M out as of 2026-05-01").rows[0]
    before_notice = ask(book, "cost gpt-4 1M in 1M out as of 2026-01-01").rows[0]

    assert any(
        "shuts down on 2026-10-23 (announced 2026-04-22)" in w for w in after_notice.warnings
    )
    assert not before_notice.warnings


def test_catalog_models_take_their_bundled_shutdown(book):
    for name, day in [
        ("gpt-4.1-nano", "2026-10-23"),
        ("o3-mini", "2026-10-23"),
        ("o1", "2026-10-23"),
    ]:
        row = ask(book, f"cost {name} 1M in 1M out").rows[0]
        assert any(f"was shut down on {day}" in w for w in row.warnings), name
    gpt_5 = ask(book, "cost gpt-5 1M in 1M out").rows[0]
    assert any("shuts down on 2026-12-11 (announced 2026-06-11)" in w for w in gpt_5.warnings)


def test_a_resellers_copy_does_not_take_the_vendors_shutdown(book):
    tariff = book.resolve("openrouter/openai/o3-mini")

    assert tariff.retired is None


@pytest.mark.parametrize(
    ("name", "base", "day"),
    [
        ("ft-gpt-3.5", "gpt-3.5-turbo", "2026-10-23"),
        ("ft-gpt-4o-mini", "gpt-4o-mini", "2027-01-14"),
        ("ft:gpt-4o-mini-2024-07-18:acme::abc123", "gpt-4o-mini", "2027-01-14"),
        ("ft-gpt-4.1", "gpt-4.1", "2027-01-14"),
    ],
)
def test_fine_tunes_retire_with_their_base(book, name, base, day):
    tariff = book.resolve(name)

    assert (tariff.retired, tariff.retired_with) == (date.fromisoformat(day), base)


def test_finetune_gpt_3_5_says_it_is_shut_down_and_when_new_jobs_stop(book):
    result = ask(book, "finetune gpt-3.5-turbo 100k tokens")

    assert result.training_usd == Decimal("2.40")
    notes = " ".join(result.notes)
    assert "shut down on 2026-10-23, with its base model gpt-3.5-turbo" in notes
    assert "new fine-tuning jobs stop on 2027-01-06" in notes.lower()
    assert "since 2026-05-07" in notes.lower()


def test_finetune_in_2023_has_no_wind_down_notes(book):
    result = ask(book, "finetune gpt-3.5-turbo 100k tokens 3 epochs as of 2023-08-22")

    assert result.training_usd == Decimal("2.40")
    assert not [note for note in result.notes if "fine-tuning jobs" in note]


def test_finetune_babbage_after_its_training_stop(book):
    result = ask(book, "finetune babbage-002 1M tokens as of 2025-01-01")

    assert any("Since 2024-10-28, new fine-tuning jobs are not possible" in n for n in result.notes)


def test_history_says_shut_down_only_once_the_day_has_come(book):
    assert "Shuts down on 2027-01-14." in ask(book, "history gpt-4o").notes
    assert "Shut down on 2026-10-23." in ask(book, "history gpt-4").notes
    assert not any("hut" in note for note in ask(book, "history gpt-4", today=LAUNCH).notes)


def test_models_offered_for_fine_tuning_are_not_shut_down(book):
    with pytest.raises(NoPrice) as raised:
        ask(book, "finetune o4-mini 100k tokens")
    offered = raised.value.message.split("Models with training prices on 2026-11-24: ")[1]
    for gone in ("babbage-002", "davinci-002", "gpt-3.5-turbo"):
        assert gone not in offered.split(", ")
    assert "gpt-4o-mini" in offered


def test_a_model_without_a_training_price_could_be_fine_tuned_until_its_shutdown(book):
    with pytest.raises(NoPrice) as raised:
        ask(book, "finetune o4-mini 100k tokens")

    assert "cannot be fine-tuned" not in raised.value.message
    assert "could be fine-tuned until its shutdown on 2026-10-23" in raised.value.message


def test_gpt_4_1_nano_is_priced_for_fine_tuning_with_its_shutdown(book):
    result = ask(book, "finetune gpt-4.1-nano 100k tokens")

    assert result.training_usd == Decimal("0.45")
    assert result.summary is not None
    assert result.summary.startswith(
        "No new fine-tuning job can be started on 2026-11-24: Fine-tuned GPT-4.1 nano was shut "
        "down on 2026-10-23. At its last price, fine-tuning cost $0.45"
    )


def test_a_closed_fine_tuning_leads_finetune_and_breakeven_which_states_the_notices(book):
    babbage = ask(book, "finetune babbage-002 100k tokens")
    breakeven = ask(
        book, "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3"
    )
    open_then = ask(book, "finetune gpt-4o-mini 100k tokens", today=date(2026, 6, 1))

    assert babbage.summary is not None
    assert babbage.summary.startswith("No new fine-tuning job can be started on 2026-11-24")
    assert breakeven.summary is not None
    assert breakeven.summary.startswith("No new fine-tuning job can be started on 2026-11-24")
    assert any("New fine-tuning jobs stop on 2027-01-06" in note for note in breakeven.notes)
    assert any("self-serve fine-tuning" in source for source in breakeven.sources)
    assert open_then.summary is not None
    assert open_then.summary.startswith("Fine-tuning costs")


def test_the_2023_article_figures_still_hold(book):
    compare = ask(book, "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22")

    assert [row.total_usd for row in compare.rows] == [Decimal("7.50"), Decimal("2.60")]
    assert all(not row.warnings for row in compare.rows)


def test_a_model_released_later_is_not_priced_nor_crowned(book):
    result = ask(book, "compare gpt-4-8k ft-gpt-3.5 gpt-5 200k tokens as of 2023-08-22")

    assert [row.model for row in result.rows] == ["gpt-4-8k", "ft-gpt-3.5"]
    assert result.cheapest == "ft-gpt-3.5"
    assert any("gpt-5: not priced" in note and "2025-08-07" in note for note in result.notes)


def test_an_undated_price_is_shown_but_never_crowned_for_a_past_day(book):
    result = ask(book, "compare gpt-4-8k ft-gpt-3.5 gpt-5.4 200k tokens as of 2023-08-22")

    undated = result.rows[2]
    assert undated.total_usd < result.rows[1].total_usd
    assert result.cheapest == "ft-gpt-3.5"


def test_a_model_asked_alone_before_its_release_says_when_it_came(book):
    with pytest.raises(NoPrice, match="released on 2025-08-07"):
        ask(book, "cost gpt-5 1M tokens as of 2024-01-01")


def test_cheapest_leaves_out_shut_down_and_deprecated_models_and_says_how_many(book):
    result = ask(book, "cheapest 1M tokens")

    ids = {row.model_id for row in result.rows}
    assert not any(book.resolve(model).is_gone_on(TODAY) for model in ids)
    gone = [note for note in result.notes if "shut down by" in note]
    assert gone
    assert "left out" in gone[0]


def test_cheapest_keeps_models_with_a_future_shutdown_flagged(book):
    result = ask(book, "cheapest gpt-4.1 1M tokens")

    flagged = [row for row in result.rows if any("shuts down on" in w for w in row.warnings)]
    assert flagged
    assert all(row.model_id != "openai/gpt-4.1-nano" for row in result.rows)


def test_cheapest_as_of_a_past_day_has_no_model_from_later(book):
    result = ask(book, "cheapest gpt 200k tokens as of 2023-08-22")

    assert result.rows
    assert all(row.effective is not None and row.effective <= LAUNCH for row in result.rows)


def test_per_request_cheapest_leaves_out_unknown_context_windows_and_says_so(book):
    result = ask(book, "cheapest 300k in 2k out x 10 requests")

    assert all(row.context_window is not None for row in result.rows)
    assert all(row.fits_context for row in result.rows)
    assert any("context window is unknown" in note for note in result.notes)


def test_fine_tuned_gpt_3_5_window_follows_the_date(book):
    tariff = book.resolve("ft-gpt-3.5")

    assert tariff.context_window_at(LAUNCH) == 4096
    assert tariff.context_window_at(date(2023, 11, 6)) == 16385


LIFECYCLE_FILE = """
[[lifecycle]]
model = "gpt-4o"
{field}
source = "a notice"
"""


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ("", "give 'released', 'retired' or both"),
        ("released = 2020-01-01\nannounced = 2026-01-01", "a shutdown needs 'retired'"),
        ("retired = 2026-01-01\nannounced = 2026-02-01", "is after the shutdown"),
        ("retired = 2026-01-01\nreplacment = 'x'", "did you mean 'replacement'"),
    ],
)
def test_a_bad_lifecycle_block_is_refused_with_its_reason(field, problem):
    with pytest.raises(TariffFileError, match=problem):
        read_tariff_document(LIFECYCLE_FILE.format(field=field), "test file")


def test_a_users_lifecycle_block_applies(tmp_path):
    path = tmp_path / "tariffs.toml"
    path.write_text(LIFECYCLE_FILE.format(field="retired = 2026-01-01\nreplacement = 'gpt-5'"))

    tariff = load_book(path).resolve("gpt-4o")

    assert tariff.retired == date(2026, 1, 1)
    assert tariff.retirement is not None
    assert tariff.retirement.replacement == "gpt-5"


def test_every_bundled_lifecycle_names_a_known_model(book):
    for lifecycle in book.lifecycles():
        assert book.find(lifecycle.model) is not None, lifecycle.model


def test_a_shutdown_warning_comes_with_its_notice_among_the_sources(book):
    result = ask(book, "cost gpt-4 1M in 1M out")

    assert any("notice of 2026-04-22" in source for source in result.sources)


def test_finetune_sources_name_the_wind_down_notice(book):
    result = ask(book, "finetune gpt-3.5-turbo 100k tokens")

    assert any("self-serve fine-tuning, notice of 2026-05-07" in s for s in result.sources)


def test_a_resellers_row_does_not_carry_the_vendors_shutdown(book):
    result = ask(book, "compare gpt-4o azure/gpt-4o 1M tokens")

    vendor, resold = result.rows
    assert any("shuts down on 2027-01-14" in warning for warning in vendor.warnings)
    assert not resold.warnings


def test_a_snapshot_asked_by_its_alias_shuts_down_on_its_own_date(book):
    snapshot = ask(book, "cost gpt-4-0314 1M tokens as of 2026-05-01").rows[0]
    model = ask(book, "cost gpt-4 1M tokens as of 2026-05-01").rows[0]

    assert any("snapshot gpt-4-0314 was shut down on 2026-03-26" in w for w in snapshot.warnings)
    assert any("shuts down on 2026-10-23" in w for w in model.warnings)
    assert snapshot.total_usd == model.total_usd
