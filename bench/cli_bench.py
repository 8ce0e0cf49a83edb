"""Cold start: `llmcost compare ...` as a whole process against `python -c "import slack_bolt"`,
the floor of any Bolt app's start (Slack gives a slash command 3 s, a sleeping dyno included),
and against genai-prices' own CLI pricing the same two models and tokens (`genai-prices calc`,
pip install -e '.[bench]'). Goal for the latter: <= 1x.

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
# The same question to genai-prices' CLI: its names for those models, no colours.
GENAI_PRICES = ["calc", "--no-color", "--input-tokens", "200000", "gpt-4", "gpt-3.5-turbo"]


def _llmcost() -> list[str]:
    beside_python = Path(sys.executable).with_name("llmcost")
    script = str(beside_python) if beside_python.exists() else shutil.which("llmcost")
    return [script] if script else [sys.executable, "-m", "bot.cli.main"]


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure() -> dict[str, float]:
    commands = {
        "llmcost_ms": [*_llmcost(), *QUESTION],
        "import_slack_bolt_ms": [sys.executable, "-c", "import slack_bolt"],
    }
    genai_prices = Path(sys.executable).with_name("genai-prices")
    if genai_prices.exists():
        commands["genai_prices_calc_ms"] = [str(genai_prices), *GENAI_PRICES]
    for command in commands.values():
        _wall(command)  # warm the page cache for each
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(RUNS):  # interleaved, so drift on the machine hits all alike
        for name, command in commands.items():
            times[name].append(_wall(command))
    figures = {name: statistics.median(taken) * 1000 for name, taken in times.items()}
    figures["ratio"] = figures["llmcost_ms"] / figures["import_slack_bolt_ms"]
    if "genai_prices_calc_ms" in figures:
        figures["ratio_to_genai_prices"] = figures["llmcost_ms"] / figures["genai_prices_calc_ms"]
    return figures


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
    if "genai_prices_calc_ms" in figures:
        print(f"  genai-prices calc, the same question:  {figures['genai_prices_calc_ms']:.0f} ms")
        print(f"  ratio: {figures['ratio_to_genai_prices']:.2f}x genai-prices' CLI (goal <= 1x)")
    else:
        print("  (genai-prices' CLI: skipped, pip install -e '.[bench]')")
    return figures


if __name__ == "__main__":
    main()
