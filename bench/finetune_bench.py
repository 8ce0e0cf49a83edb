"""The fine-tuning planner on a large training file: the whole check-count-price pass against
raw single-threaded tiktoken `encode_ordinary` over the same message contents, and peak memory
for a 10 MB and a 100 MB file.

Run by hand on an otherwise idle machine: `python bench/finetune_bench.py` (files are generated
in a temporary directory; nothing downloads). `run()` returns the figures for bench/run.py.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pricing import tokens as tokenizers

SPEED_GOAL = 1.0  # whole pass vs raw encode_ordinary of the contents, single-threaded
MEMORY_GOAL = 1.2  # peak memory of 100 MB vs 10 MB
MODEL = "gpt-4o-mini"  # one model, one encoding
ENCODING = "o200k_base"
_VOCABULARY = (
    "the of and to in is that for it as with was on be by this are or at from which have an not "
    "cost price token model prompt input output training fine-tuned epoch request budget team "
    "channel thread reply compare cheaper context window answer question dataset examples "
    "quality latency invoice estimate usage limit cache customer support summary draft review "
    "Zoë Łukasz José 東京 2026-11-27 $1,500.00 42 3.14 gpt-4o-mini def cost(): return x"
)
_WORDS = tuple(_VOCABULARY.split())


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def generate(path: Path, megabytes: int, seed: int = 7) -> int:
    """A chat-format training file of about `megabytes` MB; the number of examples."""
    rng = random.Random(seed)
    target = megabytes * 1_000_000
    written = examples = 0
    system = "You are a helpful support assistant for an LLM pricing tool."
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            messages = [{"role": "system", "content": system}]
            for _ in range(rng.randint(1, 3)):
                messages.append({"role": "user", "content": _text(rng, rng.randint(10, 120))})
                messages.append({"role": "assistant", "content": _text(rng, rng.randint(20, 250))})
            line = json.dumps({"messages": messages}, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode())
            examples += 1
    return examples


def raw_seconds(path: Path) -> float:
    """Single-threaded encode_ordinary over every message's content (read beforehand)."""
    contents = [
        message["content"]
        for line in path.open(encoding="utf-8")
        for message in json.loads(line)["messages"]
    ]
    encoding = tokenizers.tiktoken_encoding(ENCODING)
    start = time.perf_counter()
    for text in contents:
        encoding.encode_ordinary(text)
    return time.perf_counter() - start


_PASS = """
import json, resource, sys, time
from bot.cli.asking import run
start = time.perf_counter()
code, out, err = run(["finetune", sys.argv[1], sys.argv[2], "--json"])
seconds = time.perf_counter() - start
assert code == 0, err
peak = max(
    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
)
print(json.dumps({"seconds": seconds, "peak_kb": peak, "examples": json.loads(out)["examples"]}))
"""


def whole_pass(path: Path) -> dict:
    """The terminal's whole pass in a fresh process: seconds, peak memory of any one process."""
    done = subprocess.run(
        [sys.executable, "-c", _PASS, str(path), MODEL],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def run() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        small, large = Path(folder) / "10mb.jsonl", Path(folder) / "100mb.jsonl"
        generate(small, 10)
        examples = generate(large, 100)
        size_mb = large.stat().st_size / 1e6
        # The passes first: a process started from this one begins with this one's peak
        # memory on Linux (ru_maxrss survives exec), and the raw baseline holds every text.
        big = whole_pass(large)
        little = whole_pass(small)
        raw = raw_seconds(large)
    return {
        "examples": examples,
        "megabytes": size_mb,
        "raw_seconds": raw,
        "pass_seconds": big["seconds"],
        "speed_ratio": raw / big["seconds"],
        "peak_10mb_mb": little["peak_kb"] / 1024,
        "peak_100mb_mb": big["peak_kb"] / 1024,
        "memory_ratio": big["peak_kb"] / little["peak_kb"],
    }


def main() -> None:
    figures = run()
    n, mb = figures["examples"], figures["megabytes"]
    print(f"finetune FILE: {n:,} examples, {mb:,.1f} MB, encoding {ENCODING} ({MODEL})")
    for label, key in (("raw encode_ordinary", "raw_seconds"), ("whole pass", "pass_seconds")):
        seconds = figures[key]
        rates = f"{n / seconds:9,.0f} examples/s  {mb / seconds:6.1f} MB/s"
        print(f"  {label:<20} {seconds:6.2f} s  {rates}")
    speed, memory = figures["speed_ratio"], figures["memory_ratio"]
    speed_ok = "ok" if speed >= SPEED_GOAL else "BELOW GOAL"
    print(f"  speed: raw time / pass time {speed:.2f}x (goal >= {SPEED_GOAL}x) {speed_ok}")
    memory_ok = "ok" if memory <= MEMORY_GOAL else "ABOVE GOAL"
    print(
        f"  peak memory: 10 MB file {figures['peak_10mb_mb']:.0f} MB, 100 MB file "
        f"{figures['peak_100mb_mb']:.0f} MB: {memory:.2f}x (goal <= {MEMORY_GOAL}x) {memory_ok}"
    )


if __name__ == "__main__":
    main()
