"""Every JSON llmcost reads from outside is bounded before it is parsed and may start with a
byte-order mark (issue 19)."""

import pytest

from pricing import json_input
from pricing.catalog import PublishedDataError, read_published
from pricing.training_file import check_example

DEEP = "[" * 150_000 + "]" * 150_000


def test_deep_nesting_is_refused_before_the_parser_recurses():
    with pytest.raises(json_input.JsonTooDeep, match="nest more than 64 deep"):
        json_input.loads(DEEP)
    # Brackets inside strings are text, not nesting.
    assert json_input.loads('{"a": "' + "[" * 1_000 + '"}') == {"a": "[" * 1_000}
    assert json_input.loads("[" * 64 + "]" * 64) is not None


def test_a_byte_order_mark_is_dropped():
    assert json_input.loads(b"\xef\xbb\xbf[1]") == [1]
    assert json_input.loads("\ufeff{}") == {}


def test_a_deep_price_file_is_refused_in_one_line():
    with pytest.raises(PublishedDataError, match="nest more than 64 deep"):
        read_published(DEEP.encode())


def test_a_deep_training_line_is_an_invalid_example_and_a_bom_is_not():
    chat = (
        '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]}'
    )

    assert check_example('{"messages": ' + DEEP + "}", "chat") == [
        ("not_json", "arrays and objects nest more than 64 deep")
    ]
    assert not isinstance(check_example("\ufeff" + chat, "chat"), list)


def test_a_tariffs_file_with_a_byte_order_mark_reads(tmp_path):
    from pricing.sources import load_book

    path = tmp_path / "mine.toml"
    path.write_bytes(
        b'\xef\xbb\xbf[[tariff]]\nmodel = "acme"\neffective = 2026-11-01\n'
        b'input_per_mtok = "1"\noutput_per_mtok = "2"\n'
    )

    assert load_book(path, with_catalog=False).resolve("acme").latest.output_per_mtok == 2
