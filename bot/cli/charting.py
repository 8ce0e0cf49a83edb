"""`llmcost --chart FILE.png QUESTION`: the answer's chart written as a PNG.

The file is written whole or not at all (a temporary file beside it, then renamed), and a
question with nothing to plot, or a place that cannot be written, is one line and exit 2."""

import os
from pathlib import Path

from pricing.chart_data import ChartData
from pricing.errors import LlmcostError

CHARTED = "compare, cost, cheapest, breakeven, budget, history and finetune FILE"


def nothing_to_chart(kind: str) -> LlmcostError:
    return LlmcostError(
        f"There is nothing to chart in a '{kind}' answer: charts are drawn for {CHARTED}.",
        suggestions=["compare gpt-4o gpt-4o-mini 1M tokens"],
    )


def write_chart(path: Path, chart: ChartData) -> None:
    """The chart as a PNG at `path`; LlmcostError (no file written) when it cannot be."""
    from bot.render.chart import render_png  # matplotlib: only when a chart is asked

    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise LlmcostError(f"--chart {path} is a folder; give a file name such as chart.png.")
    if not folder.is_dir():
        raise LlmcostError(f"--chart {path}: the folder {folder} does not exist.")
    png = render_png(chart)
    # Beside it under a name of its own (created with the umask's permissions), then renamed.
    temporary = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        with open(temporary, "xb") as out:
            out.write(png)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise LlmcostError(f"--chart {path}: cannot write it ({error.strerror}).") from error
