"""Charts (issue 21), each figure against a baseline in the same run:
- a warm chart, from the answer to PNG bytes (the series computed by the engine, then drawn), p50
  and p95 over the issue's examples, against a bare matplotlib plot of the same points (no
  styling, labels or markers);
- the first chart of a process, matplotlib's import included (a fresh interpreter each time);
- the terminal's cold start without --chart (matplotlib is not imported), against
  `python -c "import slack_bolt"`, as bench/cli_bench.py measures it;
- `llmcost serve`: ack p99 of plain commands at c=1 while 20 `/llmcost chart ...` commands
  render, against the same server's calm ack p99.

Run: python bench/chart_bench.py
"""

import io
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "bench"))

import cli_bench  # noqa: E402
import slack_bench  # noqa: E402

from tests.e2e.server import free_port  # noqa: E402

EXAMPLES = (
    "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22",
    "cheapest 1M tokens",
    "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3",
    "history gpt-3.5-turbo",
    "budget $500 gpt-4o claude-sonnet-4 gpt-4o-mini 2k in 500 out",
)
RUNS = 10  # each example
FIRST_CHARTS = 5
CHARTS_UNDER_LOAD = 20
TODAY = date(2026, 12, 7)
FIRST_CHART = f"""
import time
started = time.perf_counter()
from datetime import date
from bot.render.chart import render_png
from pricing.answer import answer
from pricing.chart_data import chart_of
from pricing.parse import parse
from pricing.sources import load_book
book = load_book()
query = parse({EXAMPLES[0]!r})
render_png(chart_of(query, answer(query, book, date(2026, 12, 7)), book, date(2026, 12, 7)))
print(time.perf_counter() - started)
"""


def warm_charts() -> dict[str, float]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from bot.render.chart import render_png
    from pricing.answer import answer
    from pricing.chart_data import chart_of
    from pricing.parse import parse
    from pricing.sources import load_book

    book = load_book()
    ours, bare = [], []
    answered = {question: answer(parse(question), book, TODAY) for question in EXAMPLES}
    for question in EXAMPLES * (RUNS + 1):
        query, result = parse(question), answered[question]
        started = time.perf_counter()  # the answer is given: its series, then the picture
        chart = chart_of(query, result, book, TODAY)
        assert chart is not None
        render_png(chart)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        figure = Figure(figsize=(12, 7), dpi=100)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        for series in chart.series:
            axes.plot(series.x or series.days, [float(y) for y in series.y])
        if chart.bars:
            axes.bar([b.label for b in chart.bars], [b.value for b in chart.bars])
        figure.savefig(io.BytesIO(), format="png")
        bare.append(time.perf_counter() - started)
    ours, bare = ours[len(EXAMPLES) :], bare[len(EXAMPLES) :]  # the first round warms
    p95 = statistics.quantiles(ours, n=20)[-1] * 1000
    bare_p95 = statistics.quantiles(bare, n=20)[-1] * 1000
    return {
        "warm_p50_ms": statistics.median(ours) * 1000,
        "warm_p95_ms": p95,
        "bare_matplotlib_p95_ms": bare_p95,
        "ratio_p95": p95 / bare_p95,
    }


def first_chart() -> dict[str, float]:
    took = [
        float(
            subprocess.run(
                [sys.executable, "-c", FIRST_CHART], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(FIRST_CHARTS)
    ]
    return {"first_chart_s": statistics.median(took)}


def acks_while_charting() -> dict[str, float]:
    with slack_bench.FakeSlackProcess() as fake, tempfile.TemporaryDirectory() as home:
        env = slack_bench.serve_env(fake.api_url, free_port(), Path(home))
        with slack_bench.started_server(slack_bench.llmcost_serve_command(), env) as started:
            url = started[0]
            slack_bench.ack_latencies(url, 30, 1, "CWARM")  # not counted
            calm = slack_bench.ack_latencies(url, 100, 1, "CCALM")
            charts = [slack_bench._signed(f"chart {EXAMPLES[0]}", f"CCHART{i}") for i in range(20)]

            def load() -> None:
                for body, headers in charts:
                    slack_bench.post(url, body, headers, timeout=10)

            charting = threading.Thread(target=load)
            charting.start()
            busy = slack_bench.ack_latencies(url, 100, 1, "CBUSY")
            charting.join()
    _, calm_p99 = slack_bench.percentiles([elapsed for elapsed, _ in calm.values()])
    _, busy_p99 = slack_bench.percentiles([elapsed for elapsed, _ in busy.values()])
    return {
        "ack_p99_calm_ms": calm_p99,
        "ack_p99_charting_ms": busy_p99,
        "ratio": busy_p99 / calm_p99,
    }


def main() -> None:
    print(f"machine load: {Path('/proc/loadavg').read_text().split()[:3]}")
    for name, figures in (
        ("warm chart, answer to PNG (goal p95 <= 250 ms)", warm_charts()),
        ("first chart of a process, import included (goal <= 1.5 s)", first_chart()),
        ("terminal cold start without --chart, vs import slack_bolt", cli_bench.measure()),
        (f"serve: ack p99 at c=1 while {CHARTS_UNDER_LOAD} charts render", acks_while_charting()),
    ):
        shown = ", ".join(f"{key} {value:.3g}" for key, value in figures.items())
        print(f"{name}: {shown}")


if __name__ == "__main__":
    main()
