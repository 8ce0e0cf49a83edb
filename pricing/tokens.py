"""Exact, offline token counts for OpenAI encodings.

The BPE rank files come from the `bpe-openai` wheel (checked against tiktoken's published
sha256) and are fed to `tiktoken.Encoding` directly, because `tiktoken.get_encoding` would
download them and no machine running llmcost may reach the internet.

Backend: tiktoken itself, the reference, so counts are exact by definition and come from the
data whose hash we checked. bpe_openai's Rust counter agreed with it on everything we tried and
is faster on one thread, but it holds the GIL for the whole call (stalling Slack's other
threads), is reachable only through a private module whose package import parses three rank
files (~0.5 s), and carries its own unverifiable copy of the data. tiktoken releases the GIL, so
long texts are cut where the pre-tokenizer cuts anyway and counted on a small thread pool.
Figures: `python bench/tokens_bench.py`.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.util
import os
import re
import threading
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from itertools import pairwise

import tiktoken
from tiktoken.model import MODEL_PREFIX_TO_ENCODING, MODEL_TO_ENCODING

from pricing.cpus import usable_cpus

__all__ = [
    "ENCODINGS",
    "ESTIMATE_ENCODING",
    "TokenizerDataError",
    "count",
    "encoding_name_for",
    "short_text_counter",
]

ENCODINGS: tuple[str, ...] = ("cl100k_base", "o200k_base")

# Used for models whose tokenizer we do not have: the newest OpenAI encoding is the least bad
# guess for modern models, and answers label such a count as an estimate.
ESTIMATE_ENCODING = "o200k_base"

_DATA_PACKAGE = "bpe_openai"

# Published by tiktoken (tiktoken_ext/openai_public.py) for the uncompressed rank files.
_SHA256: dict[str, str] = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

# Copied from tiktoken_ext/openai_public.py; a test asserts they still match tiktoken's.
_PAT_STR: dict[str, str] = {
    "cl100k_base": (
        r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|"""
        r""" ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
    ),
    "o200k_base": "|".join(
        [
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]
    ),
}

_SPECIAL_TOKENS: dict[str, dict[str, int]] = {
    "cl100k_base": {
        "<|endoftext|>": 100257,
        "<|fim_prefix|>": 100258,
        "<|fim_middle|>": 100259,
        "<|fim_suffix|>": 100260,
        "<|endofprompt|>": 100276,
    },
    "o200k_base": {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
}

# o200k_harmony (gpt-oss) is o200k_base's ranks and pat_str plus extra special tokens. Since we
# count special-token text as ordinary text, its counts are exactly o200k_base's.
_ENCODING_ALIASES: dict[str, str] = {"o200k_harmony": "o200k_base"}


class TokenizerDataError(RuntimeError):
    """The tokenizer data shipped in the bpe-openai wheel is missing or corrupted."""


# --- model -> encoding -------------------------------------------------------------------------


def encoding_name_for(model_id: str) -> str | None:
    """Encoding of an OpenAI-style model id, or None when we cannot count it exactly.

    Accepts tiktoken's names and prefixes ("gpt-4-32k", "gpt-4o-mini", "gpt-5.1", "o3"), a
    provider prefix ("openai/gpt-4o") and fine-tunes ("ft:gpt-4.1-mini:acme::abc123").
    Encodings outside ENCODINGS (r50k_base, p50k_base, gpt2) map to None.
    """
    name = model_id.strip().lower().rpartition("/")[2]
    encoding = _encoding_of_fine_tune(name) or _tiktoken_encoding_of(name)
    if encoding is None:
        return None
    encoding = _ENCODING_ALIASES.get(encoding, encoding)
    return encoding if encoding in ENCODINGS else None


def _encoding_of_fine_tune(name: str) -> str | None:
    # A fine-tune uses its base model's tokenizer. Resolving the base rather than trusting
    # tiktoken's "ft:" prefixes matters: first-match on them sends "ft:gpt-4.1" to "ft:gpt-4",
    # i.e. cl100k_base, though gpt-4.1 uses o200k_base.
    if not name.startswith("ft:"):
        return None
    base = name.removeprefix("ft:").partition(":")[0]
    return _tiktoken_encoding_of(base)


def _tiktoken_encoding_of(name: str) -> str | None:
    if name in MODEL_TO_ENCODING:
        return MODEL_TO_ENCODING[name]
    # Longest prefix wins so the result does not depend on the table's order.
    matches = [prefix for prefix in MODEL_PREFIX_TO_ENCODING if name.startswith(prefix)]
    if not matches:
        return None
    return MODEL_PREFIX_TO_ENCODING[max(matches, key=len)]


# --- loading encodings (lazily, once per process) ----------------------------------------------

_encodings: dict[str, tiktoken.Encoding] = {}
_encodings_lock = threading.Lock()


def tiktoken_encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken Encoding called `name`, built once per process (ValueError for one llmcost
    does not count with)."""
    if name not in ENCODINGS:
        raise ValueError(f"Unknown encoding {name!r}: llmcost can count {', '.join(ENCODINGS)}.")
    cached = _encodings.get(name)
    if cached is not None:
        return cached
    # The lock keeps two first callers from both spending ~0.3 s building o200k_base.
    with _encodings_lock:
        if name not in _encodings:
            _encodings[name] = _build_encoding(name)
        return _encodings[name]


def _build_encoding(name: str) -> tiktoken.Encoding:
    return tiktoken.Encoding(
        name=name,
        pat_str=_PAT_STR[name],
        mergeable_ranks=_parse_ranks(_verified_rank_file(name)),
        special_tokens=_SPECIAL_TOKENS[name],
    )


def _read_packaged(name: str) -> bytes:
    """Compressed rank file as shipped in the bpe-openai wheel."""
    # Not `resources.files("bpe_openai.data")`: that imports bpe_openai, whose __init__ parses
    # all three of its rank files (~0.5 s) for nothing. An unexecuted module object from the
    # import system's own spec gives importlib.resources the same view of the package.
    spec = importlib.util.find_spec(_DATA_PACKAGE)
    if spec is None:
        raise FileNotFoundError(_DATA_PACKAGE)
    package = importlib.util.module_from_spec(spec)
    return resources.files(package).joinpath("data", f"{name}.tiktoken.gz").read_bytes()


def _verified_rank_file(name: str) -> bytes:
    where = f"{_DATA_PACKAGE}/data/{name}.tiktoken.gz"
    fix = "Reinstall it: pip install --force-reinstall bpe-openai"
    try:
        data = gzip.decompress(_read_packaged(name))
    except FileNotFoundError as exc:
        raise TokenizerDataError(f"Tokenizer data {where} is missing. {fix}") from exc
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise TokenizerDataError(f"Tokenizer data {where} is not valid gzip. {fix}") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != _SHA256[name]:
        raise TokenizerDataError(
            f"Tokenizer data {where} is corrupted: sha256 {actual}, expected {_SHA256[name]} "
            f"(tiktoken's published hash). {fix}"
        )
    return data


def _parse_ranks(data: bytes) -> dict[bytes, int]:
    # tiktoken's format: one "<base64 token> <rank>" per line.
    return {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in data.splitlines() if line)
    }


# --- counting ----------------------------------------------------------------------------------

# Below this many characters the calling thread counts alone. Handing chunks to the pool pays
# from ~10k characters on average, but waking threads widens the tail: at Slack's 40,000-char
# message limit the pool cut p50 from 2.1 to 1.5 ms yet pushed max from <3 to ~7 ms on a busy
# machine. Messages stay on one predictable thread; pasted documents and files go parallel.
_PARALLEL_MIN_CHARS = 65_536
# Two chunks per worker so one slow stretch of text does not leave a core idle.
_MIN_CHUNK_CHARS = 8_192
_CHUNKS_PER_WORKER = 2


_WORKERS = min(4, usable_cpus())

# A cut at position p is safe when the pre-tokenizer of both encodings ends a piece at p in the
# whole text, and pieces before p only ever look at text[p] in ways that text[p] and
# end-of-text answer alike. Two such cuts (p is the position right after each match):
#
# 1. "\n" then a char that is neither whitespace nor "/". The last whitespace run before p ends
#    in a newline, so from any start inside it cl100k's `\s*[\r\n]` (the whole text) and
#    `\s++$` (the chunk) both take the run up to p, and o200k's `\s*[\r\n]+` takes it in both.
#    No earlier piece crosses p: letters, digits and punctuation runs stop at whitespace; only
#    punctuation's trailing `[\r\n]*+` (cl100k) or `[\r\n/]*` (o200k) eats newlines, and it
#    stops at text[p] unless that is "/" (o200k), which is why "/" is excluded. Python's `\s`
#    is a superset of Rust regex's `\s` (Unicode White_Space), so "not \s" here is stricter.
# 2. An ASCII letter then a space. The piece holding the letter is a letter run or a
#    contraction; letters, marks and "'" are all that can extend it, so it ends at p and
#    behaves the same whether a space or end-of-text follows. The space starts the next piece.
#
# Regex matching never looks behind, so pieces from p on are the chunk's pieces.
# tests/pricing/test_tokens.py cuts at every safe cut of hypothesis-made text and checks the
# pieces and token ids equal the uncut text's.
_SAFE_CUT = re.compile(r"\n(?=[^\s/])|[A-Za-z](?= )")


def count(text: str, encoding: str = "cl100k_base") -> int:
    """Exact token count; special-token text such as "<|endoftext|>" counts as ordinary text.

    Large texts are cut where the pre-tokenizer cuts anyway and counted in parallel, so the
    result is identical to one `encode_ordinary` of the whole text.
    """
    enc = tiktoken_encoding(encoding)
    if len(text) < _PARALLEL_MIN_CHARS or _WORKERS < 2:
        return len(enc.encode_ordinary(text))
    parts = min(_WORKERS * _CHUNKS_PER_WORKER, len(text) // _MIN_CHUNK_CHARS)
    chunks = _chunks(text, parts)
    if len(chunks) == 1:  # e.g. one huge line of CJK or base64: nowhere safe to cut
        return len(enc.encode_ordinary(text))
    return sum(len(tokens) for tokens in _pool().map(enc.encode_ordinary, chunks))


# Short texts repeat (roles, names, one-word replies): their counts are kept, up to this many.
_SHORT_TEXT_CHARS = 24
_SHORT_TEXTS_KEPT = 50_000


def short_text_counter(encoding: str = "cl100k_base") -> Callable[[str], int]:
    """A counter for many small texts on one thread (a training file's messages): exact, as
    `count`, without its per-call checks and thread pool, and with the counts of short texts
    kept."""
    encode = tiktoken_encoding(encoding).encode_ordinary
    known: dict[str, int] = {}

    def count_one(text: str) -> int:
        if len(text) > _SHORT_TEXT_CHARS:
            return len(encode(text))
        found = known.get(text)
        if found is None:
            found = len(encode(text))
            if len(known) < _SHORT_TEXTS_KEPT:
                known[text] = found
        return found

    return count_one


def _chunks(text: str, parts: int) -> list[str]:
    """Cut `text` into at most `parts` pieces, each cut at the first safe cut past its share."""
    cuts = [0]
    for i in range(1, parts):
        target = len(text) * i // parts
        found = _SAFE_CUT.search(text, max(target - 1, cuts[-1]))
        if found is None:
            break
        cuts.append(found.end())
    cuts.append(len(text))
    return [text[start:end] for start, end in pairwise(cuts)]


# --- the thread pool ---------------------------------------------------------------------------

_pool_instance: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _pool_instance
    if _pool_instance is None:
        with _pool_lock:
            if _pool_instance is None:
                _pool_instance = ThreadPoolExecutor(_WORKERS, thread_name_prefix="llmcost-tokens")
    return _pool_instance


def _reset_after_fork() -> None:
    # A forked child (e.g. a preloading web server) inherits the executor but not its threads;
    # submitting to it would wait forever, so the child starts a fresh pool when it needs one.
    # Locks another thread held at fork time would never be released in the child.
    global _pool_instance, _pool_lock, _encodings_lock
    _pool_instance = None
    _pool_lock = threading.Lock()
    _encodings_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _clear_caches() -> None:
    """Forget loaded encodings (tests use this to prove loading stays offline)."""
    with _encodings_lock:
        _encodings.clear()
