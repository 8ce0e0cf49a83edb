"""The chart's PNG (issue 21): it opens, has the stated size, is not blank, is the same bytes for
the same question, stays under 300 KB; and the terminal draws it only when asked."""

import io
import json
import struct
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from bot.cli.asking import run
from bot.render.chart import render_png
from pricing.answer import answer
from pricing.chart_data import chart_of
from pricing.parse import parse
from pricing.sources import load_book
from tests.pricing.test_training_file import toy_bytes

TODAY = date(2026, 12, 7)
EXAMPLES = [
    "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22",
    "cheapest 1M tokens",
    "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3",
    "history gpt-3.5-turbo",
    "budget $500 gpt-4o claude-sonnet-4 gpt-4o-mini 2k in 500 out",
]


@pytest.fixture(scope="module")
def book():
    return load_book()


def _png(book, question: str) -> bytes:
    query = parse(question)
    chart = chart_of(query, answer(query, book, TODAY), book, TODAY)
    assert chart is not None
    return render_png(chart)


@pytest.mark.parametrize("question", EXAMPLES)
def test_each_chart_is_a_png_of_the_stated_size_not_blank_and_small(book, question):
    from matplotlib.image import imread

    png = _png(book, question)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (1200, 700)
    assert len(png) < 300_000
    pixels = imread(io.BytesIO(png))
    assert pixels.std() > 0.05  # lines and text on the white


def test_the_same_question_is_the_same_bytes(book):
    assert _png(book, EXAMPLES[0]) == _png(book, EXAMPLES[0])
    assert b"Software" not in _png(book, EXAMPLES[0])  # no version or time in the file


@pytest.fixture(autouse=True)
def no_user_tariffs(monkeypatch):
    monkeypatch.delenv("LLMCOST_TARIFFS", raising=False)


def test_the_terminal_writes_the_chart_and_names_it(tmp_path):
    target = tmp_path / "compare.png"
    code, out, err = run(["--chart", str(target), *EXAMPLES[0].split()], today=TODAY)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == f"Chart: {target}"
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["compare.png"]  # no temporary file left


def test_json_has_the_series_on_their_own_and_with_the_file(tmp_path):
    code, out, _ = run(["--json", *EXAMPLES[0].split()], today=TODAY)
    document = json.loads(out)
    assert code == 0
    assert "chart_file" not in document
    lines = {series["label"]: series for series in document["chart"]["series"]}
    assert set(lines) == {"gpt-4-8k", "ft-gpt-3.5"}
    index = lines["gpt-4-8k"]["x"].index(200_000)
    assert Decimal(lines["gpt-4-8k"]["y"][index]) == Decimal(document["rows"][0]["total_usd"])
    target = tmp_path / "c.png"
    code, out, _ = run(["--json", "--chart", str(target), *EXAMPLES[0].split()], today=TODAY)
    assert json.loads(out)["chart_file"] == str(target)
    assert target.exists()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--chart", "{tmp}/c.png", "help"], "nothing to chart in a 'help' answer"),
        (["--chart", "{tmp}/c.png", "tokens", "hello", "world"], "nothing to chart"),
        (["--chart", "{tmp}/none/c.png", "cost", "gpt-4o", "1M", "tokens"], "does not exist"),
        (["--chart", "{tmp}", "cost", "gpt-4o", "1M", "tokens"], "is a folder"),
        (["cost", "gpt-4o", "1M", "tokens", "--chart"], "usage: llmcost --chart FILE.png"),
        (["--chart", "{tmp}/c.png", "cost", "nosuchmodel", "1M", "tokens"], "'nosuchmodel'"),
        (["chart", "cost", "gpt-4o", "1M", "tokens"], "llmcost --chart chart.png cost gpt-4o"),
    ],
)
def test_nothing_to_chart_or_nowhere_to_write_is_one_line_and_no_file(tmp_path, argv, said):
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]
    code, out, err = run(argv, today=TODAY)
    assert (code, out) == (2, "")
    assert said in err
    assert "\n" not in err.strip()
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_training_file_is_charted_as_tokens_per_example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.jsonl").write_bytes(toy_bytes())
    code, out, _ = run(["--json", "finetune", "train.jsonl", "gpt-4o-mini"], today=TODAY)
    document = json.loads(out)
    assert code == 0
    assert document["chart"]["kind"] == "histogram"
    (series,) = document["chart"]["series"]
    assert sum(int(n) for n in series["y"]) == document["examples"]
    assert min(series["x"]) == document["tokens"]["min"]
    assert max(series["x"]) == document["tokens"]["max"]


def test_a_question_without_a_chart_never_imports_matplotlib():
    script = (
        "import sys\n"
        "from bot.cli.asking import run\n"
        "code, out, err = run(['compare', 'gpt-4-8k', 'ft-gpt-3.5', '200k', 'tokens'])\n"
        "assert code == 0, err\n"
        "print('matplotlib' in sys.modules)\n"
    )
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert shown.stdout.strip() == "False", shown.stderr
