"""A chart as a PNG: one more rendering of an answer, drawn from the series the engine computed
(`pricing.chart_data`); nothing here prices anything.

matplotlib draws on its Agg backend through a `Figure` of its own (no pyplot, so no global state
shared between the threads that render), and is imported only when a chart is asked: a question
without one starts as fast as before. The fonts are matplotlib's own (DejaVu Sans) and the PNG
carries no software version or time, so the same chart is the same bytes on every machine.
"""

import io
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pricing.chart_data import ChartData, Marker
from pricing.money import format_usd
from pricing.quantities import format_count

WIDTH_INCHES, HEIGHT_INCHES, DPI = 12, 7, 100  # 1200 x 700 pixels
TITLE_WIDTH = 100  # characters on a line of the title (the question's words)
# Okabe and Ito's palette, told apart with any colour vision.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "svg.hashsalt": "llmcost",
    "text.parse_math": False,  # "$0.03/1K prompt, $0.06/1K" is text, not mathematics
}


@dataclass(frozen=True)
class ChartImage:
    """A chart drawn, and what its upload says of it (a title; alt text with the numbers)."""

    png: bytes
    title: str
    alt_text: str


def drawn(chart: ChartData) -> ChartImage:
    return ChartImage(png=render_png(chart), title=chart.title, alt_text=chart.alt_text)


def render_png(chart: ChartData) -> bytes:
    """The chart as PNG bytes, 1200 x 700 pixels."""
    import matplotlib

    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        DRAW[chart.kind](axes, chart)
        title = "\n".join(textwrap.wrap(chart.title, TITLE_WIDTH))
        figure.suptitle(title, fontsize=13, fontweight="bold", y=0.98)
        axes.set_title(chart.subtitle, fontsize=9, color="#555555")
        axes.set_xlabel(chart.x_label)
        axes.set_ylabel(chart.y_label)
        if chart.y_dollars:
            axes.yaxis.set_major_formatter(_formatter(lambda value: format_usd(_exact(value))))
        if chart.kind == "lines":
            axes.xaxis.set_major_formatter(_formatter(lambda value: format_count(int(value))))
        # Fixed margins: measuring the text for a tight layout draws the figure twice.
        notes = sum(1 for marker in chart.markers if marker.x is None and marker.day is None)
        bottom = 0.1 + 0.035 * notes + (0.12 if chart.kind == "bars" else 0)
        figure.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=min(bottom, 0.4))
        out = io.BytesIO()
        figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _formatter(say: Callable[[float], str]) -> Any:
    """Ticks said as the text answers say amounts ($0.038, $2.50, $1,250; 200k, 1.2M)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _position: say(value))


def _exact(value: float) -> Decimal:
    return Decimal(str(float(value)))


def _lines(axes: Any, chart: ChartData) -> None:
    # A line's point at the asked volume is labelled in the legend ("gpt-4o: $4.38"), where
    # labels of close points cannot overlap.
    said = {marker.label.partition(": ")[0]: marker.label for marker in chart.markers if marker.y}
    for index, series in enumerate(chart.series):
        colour = PALETTE[index % len(PALETTE)]
        label = said.get(series.label, series.label)
        axes.plot(series.x, [float(y) for y in series.y], label=label, color=colour)
    if chart.log_scales:
        from matplotlib.ticker import NullLocator

        axes.set_xscale("log")
        axes.set_yscale("log")
        for axis in (axes.xaxis, axes.yaxis):
            axis.set_minor_locator(NullLocator())  # ticks on the decades only: a third the time
    for index, marker in enumerate(chart.markers):
        _mark(axes, marker, index)
    axes.legend(loc="upper left", fontsize=9)


def _steps(axes: Any, chart: ChartData) -> None:
    for index, series in enumerate(chart.series):
        colour = PALETTE[index % len(PALETTE)]
        ys = [float(y) for y in series.y]
        axes.step(series.days, ys, where="post", label=series.label, color=colour, marker="o")
    for marker in chart.markers:
        axes.axvline(marker.day, color="#D55E00", linestyle="--")
        axes.annotate(marker.label, (marker.day, 0), xytext=(4, 8), textcoords="offset points")
    axes.legend(loc="upper right", fontsize=9)


def _bars(axes: Any, chart: ChartData) -> None:
    labels = [bar.label for bar in chart.bars]
    values = [float(bar.value) for bar in chart.bars]
    colours = [PALETTE[5] if value > 0 else PALETTE[0] for value in values]
    drawn = axes.bar(labels, values, color=colours if chart.percent else PALETTE[0])
    said = [f"{bar.value:+}%" if chart.percent else f"{bar.value:,}" for bar in chart.bars]
    axes.bar_label(drawn, labels=said, fontsize=9)
    axes.tick_params(axis="x", labelrotation=20)
    for label in axes.get_xticklabels():
        label.set_horizontalalignment("right")


def _histogram(axes: Any, chart: ChartData) -> None:
    (series,) = chart.series
    bins = min(40, max(1, len(series.x)))
    axes.hist(series.x, bins=bins, weights=[float(n) for n in series.y], color=PALETTE[0])
    for marker in chart.markers:
        axes.axvline(marker.x, color="#D55E00", linestyle="--", label=marker.label)
    if chart.markers:
        axes.legend(loc="upper right", fontsize=9)


def _mark(axes: Any, marker: Marker, index: int) -> None:
    """A volume as a dashed line; a point with its label, labels of one volume stacked; a note
    (no place on the axes: a shutdown) under the plot."""
    if marker.x is None:
        text = "\n".join(textwrap.wrap(marker.label, 150))
        axes.annotate(
            text,
            (0, 0),
            xycoords="axes fraction",
            xytext=(0, -40 - 24 * index),
            textcoords="offset points",
            fontsize=8,
            color="#D55E00",
            va="top",
        )
        return
    if marker.y is None:
        axes.axvline(marker.x, color="#555555", linestyle="--", linewidth=1)
        axes.annotate(
            marker.label,
            (marker.x, 1),
            xycoords=("data", "axes fraction"),
            xytext=(4, -14),
            textcoords="offset points",
            fontsize=9,
        )
        return
    axes.plot([marker.x], [float(marker.y)], marker="o", color="#000000")
    if not _in_legend(marker):
        axes.annotate(
            marker.label,
            (marker.x, float(marker.y)),
            xytext=(6, -14),
            textcoords="offset points",
            fontsize=9,
        )


def _in_legend(marker: Marker) -> bool:
    """A line's total at the asked volume ("gpt-4o: $4.38") is said in the legend."""
    return ": $" in marker.label


DRAW: dict[str, Callable[[Any, ChartData], None]] = {
    "lines": _lines,
    "steps": _steps,
    "bars": _bars,
    "histogram": _histogram,
}
