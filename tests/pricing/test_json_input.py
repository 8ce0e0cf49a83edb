"""Every JSON llmcost reads from outside is bounded before it is parsed and may start with a
byte-order mark (issue 19)."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def scanned_depth(text: str) -> int:
    """The deepest nesting, counted bracket by bracket with strings skipped, in Python: the
    reference the scan in C must agree with."""
    depth = deepest = 0
    for token in re.findall(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', text):
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def passes_depth_check(text: str, limit: int) -> bool:
    try:
        json_input.check_depth(text, limit)
    except json_input.JsonTooDeep:
        return False
    return True


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab'),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=30,
)


@given(json_values, st.integers(min_value=0, max_value=12))
def test_json_is_refused_exactly_when_it_nests_deeper_than_the_limit(value, limit):
    text = json.dumps(value)

    assert passes_depth_check(text, limit) == (scanned_depth(text) <= limit)


@given(st.text(alphabet='[]{}"\\a'), st.integers(min_value=0, max_value=12))
def test_any_text_is_refused_exactly_when_the_count_passes_the_limit(text, limit):
    """JSON or not: what the parser would recurse into is never let through."""
    assert passes_depth_check(text, limit) == (scanned_depth(text) <= limit)


@given(st.lists(json_values, max_size=4), st.sampled_from(["", " ", "\n "]))
def test_an_arrays_items_come_with_their_text(items, space):
    text = "[" + space + ("," + space).join(json.dumps(item) for item in items) + space + "]"

    read = json_input.array_items(text)

    assert read == [(item, json.dumps(item)) for item in items]


def test_array_items_refuses_what_json_loads_refuses_with_its_message():
    for text in ("[1,]", "[1 2]", "[1] x", "[", "nope"):
        with pytest.raises(json.JSONDecodeError) as raised:
            json.loads(text)
        with pytest.raises(ValueError, match=re.escape(str(raised.value))):
            json_input.array_items(text)
    assert json_input.array_items('{"a": 1}') is None
    assert json_input.array_items(" [ ] ") == []


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
