"""Token counting: exact against tiktoken, offline, and unchanged by parallel chunking."""

from __future__ import annotations

import functools
import gzip
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
import regex
import tiktoken
import tiktoken.load
import tiktoken.registry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiktoken_ext import openai_public

from pricing import tokens
from pricing.tokens import ENCODINGS, count, encoding_name_for

REPO = Path(__file__).resolve().parents[2]


def reference(text: str, encoding: str) -> int:
    """One plain tiktoken encode of the whole text: what every count must equal."""
    return len(tokens.tiktoken_encoding(encoding).encode_ordinary(text))


@functools.cache
def _pre_tokenizer(encoding: str) -> regex.Pattern[str]:
    return regex.compile(tokens._PAT_STR[encoding])


def pieces(text: str, encoding: str) -> list[str]:
    """The pre-tokenizer's pieces, as tiktoken's own pure-Python path finds them (`regex` is a
    tiktoken dependency); BPE never merges across pieces."""
    return _pre_tokenizer(encoding).findall(text)


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Empty the encoding cache for one test, then put the loaded encodings back (reloading
    o200k_base costs ~0.3 s)."""
    saved = dict(tokens._encodings)
    tokens._clear_caches()
    yield
    tokens._clear_caches()
    tokens._encodings.update(saved)


# --- known counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "ids"),
    [
        # Well-known ids, so a wrong rank file or pat_str cannot pass by agreeing with itself.
        ("hello world", "cl100k_base", [15339, 1917]),
        ("hello world", "o200k_base", [24912, 2375]),
        ("Hello, world!", "cl100k_base", [9906, 11, 1917, 0]),
        ("Hello, world!", "o200k_base", [13225, 11, 2375, 0]),
    ],
)
def test_known_token_ids(text: str, encoding: str, ids: list[int]) -> None:
    assert tokens.tiktoken_encoding(encoding).encode_ordinary(text) == ids
    assert count(text, encoding) == len(ids)


@pytest.mark.parametrize(
    ("text", "cl100k", "o200k"),
    [
        ("", 0, 0),
        ("The quick brown fox jumps over the lazy dog.", 10, 10),
        ("Fine-tuning 100k tokens for 3 epochs costs $2.40.", 17, 17),
        ("日本語のテキスト", 8, 6),
        ("    indented\r\n\r\ncode = 42\n", 9, 9),
    ],
)
def test_known_counts(text: str, cl100k: int, o200k: int) -> None:
    assert count(text) == cl100k  # cl100k_base is the default
    assert count(text, "o200k_base") == o200k


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(
    "text", ["<|endoftext|>", "<|endofprompt|>", "a <|fim_prefix|>b<|fim_suffix|>", "<|im_start|>"]
)
def test_special_token_text_counts_as_ordinary_text(text: str, encoding: str) -> None:
    assert count(text, encoding) == reference(text, encoding) > 1


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_lone_surrogates_do_not_raise(encoding: str) -> None:
    # Slack's JSON can carry unpaired surrogates; tiktoken replaces them, so must we.
    for text in ["a\ud800b", "\udc00", "x\ud83d\ude00y"]:
        assert count(text, encoding) == reference(text, encoding) > 0


def test_unknown_encoding_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match=r"'p50k_base'.*cl100k_base, o200k_base"):
        count("hello", "p50k_base")


# --- model -> encoding -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "encoding"),
    [
        ("gpt-4", "cl100k_base"),
        ("gpt-4-32k", "cl100k_base"),
        ("gpt-4-0613", "cl100k_base"),
        ("gpt-4-turbo", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("gpt-3.5-turbo-16k", "cl100k_base"),
        ("ft:gpt-3.5-turbo", "cl100k_base"),
        ("ft:gpt-3.5-turbo-0613:acme:support:7p4lURel", "cl100k_base"),
        ("babbage-002", "cl100k_base"),
        ("davinci-002", "cl100k_base"),
        ("ft:davinci-002", "cl100k_base"),
        ("ft:babbage-002", "cl100k_base"),
        ("text-embedding-3-small", "cl100k_base"),
        ("gpt-4o", "o200k_base"),
        ("gpt-4o-mini", "o200k_base"),
        ("gpt-4o-2024-08-06", "o200k_base"),
        ("ft:gpt-4o-mini", "o200k_base"),
        ("gpt-4.1", "o200k_base"),
        ("gpt-4.1-mini", "o200k_base"),
        # tiktoken's own prefix table would say cl100k_base ("ft:gpt-4" matches first).
        ("ft:gpt-4.1", "o200k_base"),
        ("ft:gpt-4.1-mini-2025-04-14:acme::BCd3fG", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("gpt-5.1", "o200k_base"),
        ("gpt-5-mini", "o200k_base"),
        ("o1", "o200k_base"),
        ("o1-mini", "o200k_base"),
        ("o3", "o200k_base"),
        ("o4-mini", "o200k_base"),
        ("chatgpt-4o-latest", "o200k_base"),
        ("gpt-oss-120b", "o200k_base"),  # o200k_harmony: same counts for ordinary text
        ("openai/gpt-4o", "o200k_base"),
        ("azure/gpt-35-turbo", "cl100k_base"),
        (" GPT-4o ", "o200k_base"),
    ],
)
def test_encoding_of_known_models(model_id: str, encoding: str) -> None:
    assert encoding_name_for(model_id) == encoding


@pytest.mark.parametrize(
    "model_id",
    [
        "claude-3-5-sonnet",
        "anthropic/claude-3-5-sonnet",
        "gemini-1.5-pro",
        "llama-3-70b",
        "",
        "davinci",  # r50k_base: not an encoding we ship
        "text-davinci-003",  # p50k_base
        "gpt2",
        "ft:claude-3-haiku",
    ],
)
def test_unknown_or_unshipped_encodings_are_none(model_id: str) -> None:
    assert encoding_name_for(model_id) is None


def test_harmony_is_o200k_base_for_ordinary_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # Justifies mapping o200k_harmony to o200k_base: only special tokens differ.
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", lambda *_a, **_k: {})
    harmony, base = openai_public.o200k_harmony(), openai_public.o200k_base()
    assert harmony["pat_str"] == base["pat_str"]
    assert harmony["mergeable_ranks"] == base["mergeable_ranks"]


# --- data, offline loading, caching ------------------------------------------------------------


@pytest.mark.parametrize("name", ENCODINGS)
def test_pat_str_and_special_tokens_match_tiktoken(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tiktoken's constructors would download the ranks; stubbing that leaves their constants.
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", lambda *_a, **_k: {})
    published = openai_public.ENCODING_CONSTRUCTORS[name]()
    assert tokens._PAT_STR[name] == published["pat_str"]
    assert tokens._SPECIAL_TOKENS[name] == published["special_tokens"]


def test_nothing_touches_the_network(monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> None:
    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("tried the network or tiktoken's downloader")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    for module, attr in [
        (tiktoken.load, "read_file"),
        (tiktoken.load, "read_file_cached"),
        (tiktoken.load, "load_tiktoken_bpe"),
        (tiktoken, "get_encoding"),
        (tiktoken.registry, "get_encoding"),
    ]:
        monkeypatch.setattr(module, attr, no_network)
    monkeypatch.setattr(tokens, "_WORKERS", 2)
    big = "Offline, always.\n" * 5_000  # long enough to use the thread pool too
    for name in ENCODINGS:
        assert count("hello world", name) == 2
        assert count(big, name) == reference(big, name)


def test_loading_is_lazy_and_skips_bpe_openai_package_import() -> None:
    # bpe_openai's __init__ parses all its rank files; we only want its data directory.
    probe = (
        "import sys, pricing.tokens as t\n"
        "assert not t._encodings, 'loaded at import'\n"
        "assert t.count('hello world') == t.count('hello world', 'o200k_base') == 2\n"
        "assert 'bpe_openai' not in sys.modules, 'imported bpe_openai'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_encoding_is_built_once_under_concurrent_first_use(
    monkeypatch: pytest.MonkeyPatch, fresh_caches: None
) -> None:
    builds: list[str] = []
    real_build = tokens._build_encoding

    def counting_build(name: str) -> tiktoken.Encoding:
        builds.append(name)
        return real_build(name)

    monkeypatch.setattr(tokens, "_build_encoding", counting_build)
    results: list[int] = []
    workers = [
        threading.Thread(target=lambda: results.append(count("hello world", "o200k_base")))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert results == [2, 2, 2, 2]
    assert builds == ["o200k_base"]


def test_corrupted_data_is_refused(monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> None:
    monkeypatch.setattr(tokens, "_read_packaged", lambda _name: gzip.compress(b"IQ== 0\n"))
    with pytest.raises(tokens.TokenizerDataError, match=r"corrupted: sha256 .*reinstall"):
        count("hello", "cl100k_base")


def test_data_that_is_not_gzip_is_refused(
    monkeypatch: pytest.MonkeyPatch, fresh_caches: None
) -> None:
    monkeypatch.setattr(tokens, "_read_packaged", lambda _name: b"IQ== 0\n")
    with pytest.raises(tokens.TokenizerDataError, match="not valid gzip"):
        count("hello", "o200k_base")


def test_missing_data_is_reported(monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> None:
    monkeypatch.setattr(tokens, "_DATA_PACKAGE", "no_such_package_llmcost")
    with pytest.raises(tokens.TokenizerDataError, match="missing"):
        count("hello", "cl100k_base")


# --- parallel chunking: must never change a count ----------------------------------------------

# Characters chosen to hit every branch of both pre-tokenizer patterns near a cut: newline kinds,
# whitespace that Python and Rust classify differently (\x1c, \x85, NBSP, U+2028, U+3000), "/"
# (o200k's punctuation tail), contractions, cased/uncased letters, combining marks, digits of
# other scripts, emoji, surrogates.
_ALPHABET = (
    "\n\r\t \x0b\x0c\x1c\x1f\x85\xa0\u1680\u2028\u2029\u3000"
    "/.,;:!?'\"-_()[]{}<>|#*$%&@\\`~"
    "aAbBzZsStTdDmMlLvVrReE"
    "éÉßǅʰªñ\u0301\u0308\u20dd日本語한국אב\u0433\u0414\u03a3\u03c3"
    "0123456789٣½²"
    "\U0001f642\U0001f600\ud800\udc00\ud83d\ude00"
)
_FRAGMENTS = [
    "\r\n",
    "\n\n",
    " \n",
    "\t\n ",
    "\n/",
    "/\n",
    "\n'",
    "'s",
    "'LL",
    "'re ",
    "don't",
    "IT'S ",
    "word",
    " Word",
    "e\u0301t\u00e9",
    "<|endoftext|>",
    "http://x.io/a/b",
    "1234567",
    "    ",
    "Hello World",
    "HTTPServer",
    "x = y // 2\n",
]
# Dense runs of the characters that decide where pieces end, so rare neighbours meet.
_WHITESPACE = "\n\r\t \x0b\x0c\x1c\x85\xa0\u2028\u3000"
_WORDISH = "aEe\u0301\u0308'sStTlL/.0"
texts = st.lists(
    st.one_of(
        st.sampled_from(_FRAGMENTS),
        st.text(alphabet=_ALPHABET, max_size=6),
        st.text(alphabet=_WHITESPACE, max_size=4),
        st.text(alphabet=_WORDISH, max_size=4),
        st.text(max_size=3),  # anything else Unicode has
    ),
    max_size=40,
).map("".join)

_PROPERTY = settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@_PROPERTY
@given(texts)
def test_cutting_at_every_safe_cut_never_changes_the_count(text: str) -> None:
    # One target per character makes _chunks cut at every safe cut the text has. Pieces and ids,
    # not just counts, so an unsafe cut cannot hide behind a coincidentally equal count.
    chunks = tokens._chunks(text, max(len(text), 1))
    assert "".join(chunks) == text
    for name in ENCODINGS:
        assert [p for chunk in chunks for p in pieces(chunk, name)] == pieces(text, name)
        enc = tokens.tiktoken_encoding(name)
        assert [t for chunk in chunks for t in enc.encode_ordinary(chunk)] == enc.encode_ordinary(
            text
        )


@_PROPERTY
@given(texts)
def test_parallel_count_equals_one_encode(text: str) -> None:
    # Thresholds forced down so even short texts go through the thread pool.
    with mock.patch.multiple(tokens, _PARALLEL_MIN_CHARS=1, _MIN_CHUNK_CHARS=1, _WORKERS=2):
        for name in ENCODINGS:
            assert count(text, name) == reference(text, name)


def test_safe_cuts_are_found_in_ordinary_text() -> None:
    # Guards against the property tests passing vacuously because nothing was ever cut.
    text = "Hello there.\nNew line, and words\n\n  indented\nx/y\n/root"
    assert tokens._chunks(text, len(text)) == [
        "Hello",
        " there.\n",
        "New",
        " line, and",  # "," then space is not a cut
        " words\n\n  indented\n",
        "x/y\n/root",  # no cut before "/": o200k's punctuation tail takes it
    ]


def test_python_whitespace_covers_unicode_white_space() -> None:
    # The newline cut needs "next char is not \s" to imply "not \s" for Rust's regex too, whose
    # \s is Unicode White_Space (PropList.txt).
    white_space = [*range(0x09, 0x0E), 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B)]
    white_space += [0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
    assert all(re.fullmatch(r"\s", chr(cp)) for cp in white_space)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_large_text_is_counted_in_parallel_and_exactly(
    encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "".join(f"Line {i}: the price is ${i * 0.37:.2f} per 1M tokens.\n" for i in range(3_000))
    seen: list[int] = []
    pool = tokens._pool()

    class SpyPool:
        def map(self, fn, chunks):  # type: ignore[no-untyped-def]
            seen.append(len(chunks))
            return pool.map(fn, chunks)

    monkeypatch.setattr(tokens, "_WORKERS", 2)
    monkeypatch.setattr(tokens, "_pool", SpyPool)
    assert count(text, encoding) == reference(text, encoding)
    assert seen == [4]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(
    "line",
    [
        "日本語のテキスト" * 5_000,  # no newline, no ASCII letter: nowhere safe to cut
        "a" * 40_000,
        "word " * 10_000,  # one line, but letter-then-space cuts
        "/x" * 20_000,
    ],
)
def test_one_giant_line_is_counted_exactly(encoding: str, line: str) -> None:
    assert count(line, encoding) == reference(line, encoding)


def test_text_without_safe_cut_is_one_chunk() -> None:
    assert tokens._chunks("日本語のテキスト" * 5_000, 4) == ["日本語のテキスト" * 5_000]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_can_count_after_parent_used_the_pool() -> None:
    text = "Forked.\n" * 10_000
    expected = count(text)  # creates the pool (and its threads) in the parent
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        outcome: list[int] = []
        worker = threading.Thread(target=lambda: outcome.append(count(text)), daemon=True)
        worker.start()
        worker.join(timeout=20)
        os._exit(0 if outcome == [expected] else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
