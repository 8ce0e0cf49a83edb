"""The series a chart plots are the engine's own numbers (issue 21): read off the chart's data,
never off pixels."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.answer import answer
from pricing.chart_data import Series, chart_of, crossings, volumes
from pricing.parse import parse, render

TODAY = date(2026, 12, 7)


def _charted(book, question):
    query = parse(question)
    result = answer(query, book, TODAY)
    return result, chart_of(query, result, book, TODAY)


@pytest.mark.parametrize(
    "question",
    [
        "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22",
        "cost ft-gpt-3.5 2k in 500 out x 10000 requests",
        "cost gemini-2.5-pro 250k in 20k out x 4 requests batch",
        "compare gpt-4o claude-sonnet-4 1M in 100k out 90% cached",
        "cost sonar-reasoning-pro 2k in 500 out x 1000 requests",
    ],
)
def test_each_line_passes_through_the_answers_total_at_the_asked_volume(book, question):
    result, chart = _charted(book, question)
    asked = (
        result.usage.requests
        or result.usage.total
        or (result.usage.input or 0) + (result.usage.output or 0)
    )
    assert [series.label for series in chart.series] == [row.model for row in result.rows]
    for series, row in zip(chart.series, result.rows, strict=True):
        assert series.y[series.x.index(asked)] == row.total_usd
    assert chart.log_scales
    assert chart.y_dollars
    assert chart.title == render(parse(question))


def test_cheapest_draws_its_top_five(book):
    result, chart = _charted(book, "cheapest claude 20k in 1k out x 1000 requests")
    assert [series.label for series in chart.series] == [row.model for row in result.rows[:5]]


def test_the_break_even_marker_is_the_answers_count(book):
    question = "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3"
    result, chart = _charted(book, question)
    marker, *notes = chart.markers
    assert marker.x == result.breakeven_requests == 40
    # Both models were shut down on 2026-10-23: noted, at no place on the axes.
    assert [note.x for note in notes] == [None, None]
    assert all("shut down on 2026-10-23" in note.label for note in notes)
    tuned, base = chart.series
    assert tuned.y[0] == result.training_usd  # the fine-tuned line starts at its training
    before, after = tuned.x.index(36), tuned.x.index(44)
    assert tuned.y[before] > base.y[before]
    assert tuned.y[after] < base.y[after]
    assert "after 40 requests" in chart.alt_text


def test_history_steps_through_the_dated_prices(book):
    result, chart = _charted(book, "history gpt-3.5-turbo")
    dated = [row for row in result.rows if row.effective]
    (inputs, outputs) = chart.series[:2]
    assert inputs.days == tuple(row.effective for row in dated)
    assert inputs.y == tuple(row.input_per_mtok for row in dated)
    assert outputs.y == tuple(row.output_per_mtok for row in dated)
    assert [marker.day for marker in chart.markers] == [date(2026, 10, 23)]


def test_budget_bars_are_the_counts(book):
    result, chart = _charted(book, "budget $500 gpt-4o gpt-4o-mini 2k in 500 out")
    assert [(bar.label, bar.value) for bar in chart.bars] == [
        (row.model, Decimal(row.requests)) for row in result.rows
    ]


@pytest.mark.parametrize("question", ["help", "tokens hello world", "price gpt-4o", "models"])
def test_nothing_to_chart(book, question):
    assert _charted(book, question)[1] is None


def test_volumes_span_two_decades_either_side_of_the_asked_one():
    found = volumes(200_000)
    assert (found[0], found[-1]) == (2_000, 20_000_000)
    assert 200_000 in found
    assert found == sorted(set(found))


def test_a_crossing_is_where_the_cheapest_line_changes():
    a = Series(label="a", x=(1, 2, 3), y=(Decimal(1), Decimal(2), Decimal(3)))
    b = Series(label="b", x=(1, 2, 3), y=(Decimal(2), Decimal(2), Decimal(1)))
    (crossing,) = crossings([a, b])
    assert (crossing.label, crossing.x) == ("b cheapest from here", 3)
