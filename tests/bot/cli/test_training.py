"""`llmcost finetune FILE`: the terminal reads the file (or standard input), streams it, and
answers with the priced file; bad files get one line."""

import io
import json
import pathlib
from datetime import date
from decimal import Decimal

import pytest

from bot.cli.asking import run
from bot.training_files import tally_chunks
from tests.pricing.test_training_file import toy_bytes

TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def no_user_tariffs(monkeypatch):
    monkeypatch.delenv("LLMCOST_TARIFFS", raising=False)


@pytest.fixture
def toy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.jsonl").write_bytes(toy_bytes())
    return tmp_path / "train.jsonl"


def test_the_json_answer_has_the_issues_fields(toy):
    code, out, err = run(["finetune", "train.jsonl", "gpt-4o-mini", "--json"], today=TODAY)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["kind"] == "finetune_file"
    assert (data["format"], data["examples"], data["invalid"]) == ("chat", 3, 7)
    assert data["errors"][0] == {"line": 4, "message": "not JSON: Expecting value at column 1"}
    assert data["tokens"]["total"] == 95
    assert (data["epochs"], data["epochs_rule"]) == (25, "default")
    (row,) = data["rows"]
    assert row["model"] == "gpt-4o-mini"
    assert row["model_id"] == "ft:gpt-4o-mini"
    assert (row["encoding"], row["cap"], row["over_cap"]) == ("o200k_base", 65536, 0)
    assert (row["training_tokens"], row["trained_tokens"]) == (95, 2375)
    assert Decimal(row["training_usd"]) == Decimal("0.007125")
    assert Decimal(row["request_usd"]) == Decimal("0.000015")
    assert data["sources"]
    assert data["as_of"] == "2026-11-24"
    assert data["notes"]


def test_a_word_that_names_a_model_and_a_file_is_the_model(toy, tmp_path):
    (tmp_path / "gpt-4o-mini").write_text("not a training file")
    code, out, _ = run(["finetune", "train.jsonl", "gpt-4o-mini", "epochs", "2"], today=TODAY)
    assert code == 0
    assert "gpt-4o-mini" in out
    assert "Epochs               2 (given)" in out
    # './name' is the file.
    code, _, err = run(["finetune", "./gpt-4o-mini"], today=TODAY)
    assert code == 2
    assert "not JSONL" in err


def test_a_bare_existing_file_name_is_read(toy, tmp_path):
    (tmp_path / "data").write_bytes(toy_bytes())
    code, out, _ = run(["finetune", "data", "gpt-3.5-turbo", "--json"], today=TODAY)
    assert code == 0
    assert json.loads(out)["rows"][0]["training_tokens"] == 97


def test_standard_input(toy):
    stdin = io.TextIOWrapper(io.BytesIO(toy_bytes()))
    code, out, _ = run(["finetune", "-", "gpt-4o-mini", "--json"], today=TODAY, stdin=stdin)
    assert code == 0
    assert json.loads(out)["examples"] == 3


def test_validation_is_counted_not_billed(toy):
    _code, out, _ = run(
        ["finetune", "train.jsonl", "gpt-4o-mini", "validation", "train.jsonl", "--json"],
        today=TODAY,
    )
    data = json.loads(out)
    assert (data["validation_examples"], data["validation_tokens"]) == (3, 95)
    assert data["rows"][0]["trained_tokens"] == 2375


def test_one_validation_example_is_one_example(toy):
    (pathlib.Path.cwd() / "val.jsonl").write_bytes(toy_bytes().splitlines(keepends=True)[0])
    _code, out, _ = run(
        ["finetune", "train.jsonl", "gpt-4o-mini", "validation", "val.jsonl"], today=TODAY
    )
    assert "Validation 1 example, 43 tokens" in " ".join(out.split()), out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (b"hello\nworld\n", "is not JSONL"),
        (b'{"messages": []}\n\xff\n', "Line 2 is not UTF-8"),
    ],
)
def test_bad_files_get_one_line(tmp_path, monkeypatch, content, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.jsonl").write_bytes(content)
    code, out, err = run(["finetune", "bad.jsonl"], today=TODAY)
    assert (code, out) == (2, "")
    assert message in err
    assert "\n" not in err.strip()


def test_a_missing_file_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["finetune", "nope.jsonl"], today=TODAY)
    assert code == 2
    assert "nope.jsonl does not exist" in err


def test_worker_processes_count_what_one_process_counts():
    data = toy_bytes() * 3000  # ~3 MB: several blocks
    encodings = ("cl100k_base", "o200k_base")

    def chunks():
        return (data[i : i + 100_000] for i in range(0, len(data), 100_000))

    serial = tally_chunks(chunks(), lambda _: encodings, workers=1)
    parallel = tally_chunks(chunks(), lambda _: encodings, workers=2)
    assert parallel == serial
    assert serial.examples == 9000
