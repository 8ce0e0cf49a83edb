"""Cold start: `llmcost compare ...` as a whole process against `python -c "import slack_bolt"`,
the floor of any Bolt app's start (Slack gives a slash command 3 s, a sleeping dyno included).

Run: python bench/cli_bench.py
"""

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15
QUESTION = ["compare", "gpt-4-8k", "ft-gpt-3.5", "200k", "tokens"]


def _llmcost() -> list[str]:
    beside_python = Path(sys.executable).with_name("llmcost")
    script = str(beside_python) if beside_python.exists() else shutil.which("llmcost")
    return [script] if script else [sys.executable, "-m", "bot.cli.main"]


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure() -> dict[str, float]:
    ours = [*_llmcost(), *QUESTION]
    bolt = [sys.executable, "-c", "import slack_bolt"]
    _wall(ours), _wall(bolt)  # warm the page cache for both
    ours_times, bolt_times = [], []
    for _ in range(RUNS):  # interleaved, so drift on the machine hits both alike
        ours_times.append(_wall(ours))
        bolt_times.append(_wall(bolt))
    ours_ms = statistics.median(ours_times) * 1000
    bolt_ms = statistics.median(bolt_times) * 1000
    return {"llmcost_ms": ours_ms, "import_slack_bolt_ms": bolt_ms, "ratio": ours_ms / bolt_ms}


def main() -> dict[str, float]:
    try:
        import slack_bolt  # noqa: F401
    except ImportError:
        print("Cold start: skipped, the baseline needs slack-bolt (pip install -e '.[bench]')")
        return {}
    figures = measure()
    print(f"Cold start, median of {RUNS} runs")
    print(f"  python -c 'import slack_bolt':        {figures['import_slack_bolt_ms']:.0f} ms")
    print(f"  llmcost compare gpt-4-8k ft-gpt-3.5:  {figures['llmcost_ms']:.0f} ms")
    print(f"  ratio: {figures['ratio']:.2f}x the bare Bolt import (Slack allows 3,000 ms)")
    return figures


if __name__ == "__main__":
    main()
