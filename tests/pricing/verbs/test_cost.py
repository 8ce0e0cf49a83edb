"""cost: one model, per request times requests, context windows checked.

Moved from tests/pricing/test_answer.py with the verb's engine."""

from decimal import Decimal

import pytest

from tests.pricing.asking import ask, figures


def test_cost_of_gpt_4_32k_in_millions(book):
    result = ask(book, "cost gpt-4-32k 1.2M in 300k out")

    row = result.rows[0]
    assert result.kind == "cost"
    assert (row.input_tokens, row.output_tokens) == (1_200_000, 300_000)
    assert figures(row) == (Decimal(72), Decimal(36), Decimal(108))
    assert row.per_request_usd is None


def test_cost_per_request_times_requests(book):
    result = ask(book, "cost ft-gpt-3.5 2k in 500 out x 10000 requests as of 2023-08-22")

    row = result.rows[0]
    assert (row.input_tokens, row.output_tokens) == (20_000_000, 5_000_000)
    assert figures(row) == (Decimal(240), Decimal(80), Decimal(320))
    assert row.per_request_usd == Decimal("0.032")
    assert row.per_request_usd * 10_000 == row.total_usd
    assert not row.warnings  # 2,500 tokens fit 4,096


def test_a_request_larger_than_the_context_window_is_warned(book):
    row = ask(book, "cost gpt-4-8k 7k in 2k out x 5 requests as of 2026-01-01").rows[0]

    assert figures(row) == (Decimal("1.05"), Decimal("0.60"), Decimal("1.65"))
    assert len(row.warnings) == 1
    assert "9,000" in row.warnings[0]
    assert "8,192" in row.warnings[0]


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        ("cost gpt-4-8k 6k in 2k out x 5 requests", False),
        ("cost gpt-4-8k 6192 in 2000 out x 5 requests", False),  # exactly 8,192
        ("cost gpt-4-8k 6193 in 2000 out x 5 requests", True),
        ("cost gpt-3.5-turbo 4k in 1k out x 2 requests as of 2023-08-22", True),  # 4,096 then
        ("cost gpt-3.5-turbo 4k in 1k out x 2 requests as of 2024-02-16", False),  # 16,385 now
    ],
)
def test_context_window_check_at_the_boundary_and_over_time(book, text, warned):
    row = ask(book, text).rows[0]

    assert any("context window" in warning for warning in row.warnings) is warned


def test_no_context_check_without_requests(book):
    """Without 'x N requests' the amounts are a whole workload, not one request."""
    result = ask(book, "cost gpt-4-8k 7k in 2k out as of 2026-01-01")

    assert not result.rows[0].warnings
    assert any("x N requests" in note for note in result.notes)
