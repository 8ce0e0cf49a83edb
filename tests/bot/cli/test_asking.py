"""The `llmcost` command line: text and JSON output, options, errors, and the installed script."""

import io
import json
import os
import re
import shlex
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.cli.asking import run
from bot.cli.main import main

TODAY = date(2026, 11, 24)
ROOT = Path(__file__).resolve().parents[3]
USER_FILE = ROOT / "tests" / "data" / "user_tariffs.toml"
COMPARE = "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22"
PLAIN_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
MONEY_FIELDS = ("input_usd", "output_usd", "total_usd")


@pytest.fixture(autouse=True)
def no_user_tariffs(monkeypatch):
    monkeypatch.delenv("LLMCOST_TARIFFS", raising=False)
    monkeypatch.delenv("LLMCOST_DEBUG", raising=False)


def cli(*words: str, today: date = TODAY) -> tuple[int, str, str]:
    return run([word for text in words for word in text.split()], today=today)


def cli_json(*words: str, today: date = TODAY) -> dict:
    code, out, err = cli("--json", *words, today=today)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert isinstance(document, dict)
    return document


def assert_one_error_line(code: int, out: str, err: str) -> str:
    assert code == 2
    assert out == ""
    assert err.startswith("llmcost: ")
    assert "\n" not in err.strip()
    assert "Traceback" not in err
    return err


def table_lines(text: str) -> list[str]:
    """The table: the header line, the rule under it and the rows up to the next blank line."""
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    end = lines.index("", rule)
    return lines[rule - 1 : end]


# --- text ---------------------------------------------------------------------------------------


def test_text_answer_has_an_aligned_table_totals_date_and_sources():
    code, out, err = cli(COMPARE)

    assert (code, err) == (0, "")
    assert "2023-08-22" in out.splitlines()[0]
    header, rule, *rows = table_lines(out)
    assert header.split() == [
        "Model",
        "In",
        "$/1M",
        "Out",
        "$/1M",
        "Input",
        "tok",
        "Output",
        "tok",
        "Input",
        "Output",
        "Total",
    ]
    assert rows[0].split() == [
        "gpt-4-8k",
        "$30",
        "$60",
        "150,000",
        "50,000",
        "$4.50",
        "$3.00",
        "$7.50",
    ]
    assert rows[1].split() == [
        "ft-gpt-3.5",
        "$12",
        "$16",
        "150,000",
        "50,000",
        "$1.80",
        "$0.80",
        "$2.60",
    ]
    # right-aligned figures: every line of the table ends in the same column
    assert len({len(line) for line in (header, rule, *rows)}) == 1
    # every column starts where its rule starts
    starts = [m.start() for m in re.finditer(r"-+", rule)]
    for row in rows:
        assert row[: starts[1]].rstrip() == row.split()[0]
    assert "3:1" in out
    assert "Prices in force on 2023-08-22. Sources:" in out
    assert "https://openai.com/research/gpt-4" in out
    assert "gpt-3-5-turbo-fine-tuning" in out


def test_text_answer_today_shows_the_shutdown_warning():
    code, out, _ = cli("compare gpt-4-8k gpt-4-32k ft-gpt-3.5 150k in 50k out")

    assert code == 0
    assert "(prices as of 2026-11-24)" in out
    assert "$15.00" in out
    assert "$0.75" in out
    assert "! gpt-4-32k:" in out
    assert "2025-06-06" in out


def test_text_breakeven_and_finetune_give_the_verdicts():
    _, breakeven, _ = cli(
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3 "
        "as of 2023-08-22"
    )
    _, finetune, _ = cli("finetune gpt-3.5-turbo 100k tokens 3 epochs")

    assert "Breaks even after 44 requests" in breakeven
    assert "$2.40" in breakeven
    assert "$0.0072" in breakeven
    assert "$0.063" in breakeven  # not rounded to "$0.06", which would suggest 40 requests
    assert "Training cost" in finetune
    assert "$2.40" in finetune


def test_text_history_lists_the_dates():
    code, out, _ = cli("history gpt-3.5-turbo")

    assert code == 0
    rows = table_lines(out)[2:]
    assert [row.split()[-1] for row in rows] == ["2023-03-01", "2023-06-13", "2024-02-16"]
    assert [row.split()[-5] for row in rows] == ["4,096", "4,096", "16,385"]


# --- JSON ---------------------------------------------------------------------------------------


def test_json_is_one_object_with_exact_decimal_strings():
    code, out, err = cli("--json", COMPARE)

    assert (code, err) == (0, "")
    document = json.loads(out)  # one object, nothing else printed
    assert document["kind"] == "compare"
    assert document["as_of"] == "2023-08-22"
    rows = {row["model"]: row for row in document["rows"]}
    assert list(rows) == ["gpt-4-8k", "ft-gpt-3.5"]
    for row in document["rows"]:
        for field in ("model", "input_tokens", "output_tokens", *MONEY_FIELDS):
            assert field in row
        for field in MONEY_FIELDS:
            assert isinstance(row[field], str)
            assert PLAIN_DECIMAL.fullmatch(row[field]), row[field]
    assert [Decimal(rows["gpt-4-8k"][f]) for f in MONEY_FIELDS] == [
        Decimal("4.50"),
        Decimal("3.00"),
        Decimal("7.50"),
    ]
    assert [Decimal(rows["ft-gpt-3.5"][f]) for f in MONEY_FIELDS] == [
        Decimal("1.80"),
        Decimal("0.80"),
        Decimal("2.60"),
    ]
    assert (rows["gpt-4-8k"]["input_tokens"], rows["gpt-4-8k"]["output_tokens"]) == (
        150_000,
        50_000,
    )
    assert document["sources"]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        (COMPARE, "compare"),
        ("cost gpt-4-32k 1.2M in 300k out", "cost"),
        ("finetune gpt-3.5-turbo 100k tokens 3 epochs", "finetune"),
        (
            "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3",
            "breakeven",
        ),
        ("tokens How many tokens is this sentence?", "tokens"),
        ("models", "models"),
        ("models claude", "models"),
        ("price gpt-4-32k", "price"),
        ("history gpt-3.5-turbo", "history"),
        ("help", "help"),
        ("help compare", "help"),
    ],
)
def test_every_answer_has_kind_and_as_of(question, kind):
    document = cli_json(question)

    assert document["kind"] == kind
    assert document["as_of"] == ("2023-08-22" if "as of 2023-08-22" in question else "2026-11-24")


@pytest.mark.parametrize(
    "question",
    [
        COMPARE,
        "cost gpt-4-32k 1.2M in 300k out",
        "cost ft-gpt-3.5 2k in 500 out x 10000 requests as of 2023-08-22",
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3",
    ],
)
def test_priced_rows_carry_money_as_decimal_strings(question):
    for row in cli_json(question)["rows"]:
        assert isinstance(row["model"], str)
        assert isinstance(row["input_tokens"], int)
        assert isinstance(row["output_tokens"], int)
        for field in MONEY_FIELDS:
            assert PLAIN_DECIMAL.fullmatch(row[field]), (field, row[field])
        assert Decimal(row["input_usd"]) + Decimal(row["output_usd"]) == Decimal(row["total_usd"])


def test_json_figures_for_the_cost_and_finetune_examples():
    cost = cli_json("cost ft-gpt-3.5 2k in 500 out x 10000 requests as of 2023-08-22")
    finetune = cli_json("finetune ft-davinci-002 1M tokens x2")
    breakeven = cli_json(
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3"
    )

    (row,) = cost["rows"]
    assert Decimal(row["total_usd"]) == 320
    assert Decimal(row["per_request_usd"]) == Decimal("0.032")
    assert Decimal(finetune["training_usd"]) == 12
    assert breakeven["breakeven_requests"] == 40


def test_tiny_amounts_are_written_without_an_exponent():
    (row,) = cli_json("cost babbage-002 1 in 0 out as of 2023-08-22")["rows"]

    for field in MONEY_FIELDS:
        assert PLAIN_DECIMAL.fullmatch(row[field]), (field, row[field])
    assert row["input_usd"] == "0.0000004"


def test_tiny_amounts_are_exact_whatever_their_notation():
    (row,) = cli_json("cost babbage-002 1 in 0 out as of 2023-08-22")["rows"]

    assert Decimal(row["total_usd"]) == Decimal("0.0000004")


@pytest.mark.parametrize("topic", ["", "breakeven"])
def test_terminal_help_examples_are_safe_to_paste_into_a_shell(topic):
    _, out, _ = cli(f"help {topic}")
    commands = [line.strip() for line in out.splitlines() if line.strip().startswith("llmcost ")]

    assert commands
    for command in commands:
        # What a POSIX shell would pass on: quoting must keep "->" and "?" inside the question.
        words = shlex.split(command)
        assert words[0] == "llmcost"
        code, _, err = run(words[1:], today=TODAY)
        assert code == 0, (command, err)


def test_breakeven_prompt_sizes_can_be_written_with_to():
    said_with_arrow = cli_json(
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3"
    )
    said_with_to = cli_json(
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 to 200 output 300 training 100k x3"
    )

    assert said_with_to == said_with_arrow


# --- options ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "compare gpt-4-8k ft-gpt-3.5 200k tokens",
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3",
        "price gpt-3.5-turbo",
    ],
)
def test_at_option_equals_as_of_in_the_words(question):
    said = cli("--json", f"{question} as of 2023-08-22")
    option = cli("--json", "--at", "2023-08-22", question)
    glued = cli(question, "--at=2023-08-22", "--json")

    assert said[0] == 0
    assert said == option == glued
    assert json.loads(option[1])["as_of"] == "2023-08-22"


def test_a_date_in_the_words_wins_over_at():
    document = cli_json("--at 2024-01-01", COMPARE)

    assert document["as_of"] == "2023-08-22"


def test_no_words_prints_help():
    code, out, err = run([], today=TODAY)

    assert (code, err) == (0, "")
    assert out.startswith("llmcost: commands")
    assert "compare" in out
    assert "Examples:" in out


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_option_prints_usage(flag):
    code, out, err = run([flag])

    assert (code, err) == (0, "")
    assert out.startswith("usage: llmcost")


def test_unknown_option_exits_2():
    code, out, err = run(["--bogus", "help"], today=TODAY)

    assert "--bogus" in assert_one_error_line(code, out, err)


def test_unknown_option_with_json_prints_a_json_error():
    code, out, err = run(["--json", "--bogus"], today=TODAY)

    assert (code, err) == (2, "")
    assert "--bogus" in json.loads(out)["error"]["message"]


@pytest.mark.parametrize("argv", [["--at", "2023-13-01", "help"], ["help", "--at"]])
def test_bad_at_value_exits_2(argv):
    assert_one_error_line(*run(argv, today=TODAY))


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("cost gtp-4 1k tokens", "Did you mean: gpt-4"),
        ("compare gpt-4-8k", "How many tokens?"),
        ("price gpt-3.5-turbo as of 2023-01-01", "2023-03-01"),
        ("finetune gpt-4-8k 100k tokens", "No training price is known"),
        ("frobnicate gpt-4", "frobnicate"),
    ],
)
def test_bad_input_exits_2_with_one_line_on_stderr(question, needle):
    err = assert_one_error_line(*cli(question))

    assert needle in err


@pytest.mark.parametrize(
    ("question", "suggestion"),
    [
        ("cost gtp-4 1k tokens as of 2024-01-01", "gpt-4"),  # GPT-4 shut down since
        ("price gpt-3.5-turbo as of 2023-01-01", "as of 2023-03-01"),
    ],
)
def test_bad_input_with_json_prints_an_error_object(question, suggestion):
    code, out, err = cli("--json", question)

    assert (code, err) == (2, "")
    document = json.loads(out)
    assert set(document) == {"error"}
    assert set(document["error"]) == {"message", "suggestions"}
    assert isinstance(document["error"]["message"], str)
    assert suggestion in document["error"]["suggestions"]


def test_main_prints_and_returns_the_exit_code(capsys):
    assert main(["cost", "gtp-4", "1k", "tokens"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("llmcost: I don't know a model called 'gtp-4'.")

    assert main([*COMPARE.split(), "--json"]) == 0
    captured = capsys.readouterr()
    assert Decimal(json.loads(captured.out)["rows"][0]["total_usd"]) == Decimal("7.50")
    assert captured.err == ""


def test_main_without_words_prints_help(capsys):
    assert main([]) == 0
    assert capsys.readouterr().out.startswith("llmcost: commands")


# --- the user's tariffs file --------------------------------------------------------------------


def gpt4_input_price(*options: str) -> Decimal:
    document = cli_json(*options, "price gpt-4-8k")
    return Decimal(document["rows"][0]["input_per_mtok"])


def test_without_a_user_file_the_bundled_price_applies():
    assert gpt4_input_price() == 30


def test_tariffs_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LLMCOST_TARIFFS", str(USER_FILE))

    assert gpt4_input_price() == 20
    document = cli_json("price gpt-4-8k as of 2026-10-31")
    assert Decimal(document["rows"][0]["input_per_mtok"]) == 30
    assert cli_json("price in-house-7b")["rows"][0]["provider"] == "custom"


def test_tariffs_from_the_option():
    assert gpt4_input_price("--tariffs", str(USER_FILE)) == 20
    assert gpt4_input_price(f"--tariffs={USER_FILE}") == 20


def test_user_prices_show_their_file_as_source():
    _, out, _ = cli("--tariffs", str(USER_FILE), "cost gpt-4-8k 1M in 1M out")

    assert "$60.00" in out
    assert f"your tariffs file {USER_FILE}" in out


def test_option_wins_over_the_environment(monkeypatch, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[[tariff]\n", encoding="utf-8")
    monkeypatch.setenv("LLMCOST_TARIFFS", str(broken))

    assert gpt4_input_price("--tariffs", str(USER_FILE)) == 20


def test_a_blank_environment_variable_means_no_file(monkeypatch):
    monkeypatch.setenv("LLMCOST_TARIFFS", "  ")

    assert gpt4_input_price() == 30


@pytest.mark.parametrize("how", ["env", "option"])
def test_a_malformed_file_exits_2_naming_it(monkeypatch, tmp_path, how):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[tariff]]\nmodel = "x"\neffective = 2026-01-01\n'
        'input_per_mtok = "-1"\noutput_per_mtok = "1"\n',
        encoding="utf-8",
    )
    options = []
    if how == "env":
        monkeypatch.setenv("LLMCOST_TARIFFS", str(path))
    else:
        options = ["--tariffs", str(path)]

    err = assert_one_error_line(*run([*options, "models"], today=TODAY))

    assert str(path) in err
    assert "entry 1" in err
    assert "input_per_mtok" in err
    # Help needs no prices: a broken file must not hide it.
    assert run([*options, "help"], today=TODAY)[0] == 0


def test_a_malformed_file_with_json_prints_an_error_object(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[tarifs]\n", encoding="utf-8")

    code, out, err = run(["--json", "--tariffs", str(path), "price", "gpt-4"], today=TODAY)

    assert (code, err) == (2, "")
    assert str(path) in json.loads(out)["error"]["message"]


def test_a_missing_file_from_the_option_does_not_blame_the_environment(tmp_path):
    path = tmp_path / "nope.toml"

    err = assert_one_error_line(*run(["--tariffs", str(path), "models"], today=TODAY))

    assert str(path) in err
    assert "LLMCOST_TARIFFS" not in err


# --- real processes -----------------------------------------------------------------------------


def spawn(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"LLMCOST_TARIFFS", "LLMCOST_DEBUG"}}
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run(args, text=True, timeout=60, env=env, cwd=ROOT, check=False, **streams)


def test_module_entry_point_in_a_real_process():
    done = spawn([sys.executable, "-m", "bot.cli.main", "--json", *COMPARE.split()])

    assert (done.returncode, done.stderr) == (0, "")
    rows = json.loads(done.stdout)["rows"]
    assert [Decimal(row["total_usd"]) for row in rows] == [Decimal("7.50"), Decimal("2.60")]


def installed_script() -> Path:
    script = Path(sys.executable).with_name("llmcost")
    if not script.exists():
        pytest.skip(f"no llmcost console script next to {sys.executable}")
    return script


def test_installed_console_script_answers():
    done = spawn([str(installed_script()), *COMPARE.split()])

    assert (done.returncode, done.stderr) == (0, "")
    assert "$7.50" in done.stdout
    assert "$2.60" in done.stdout
    assert "Prices in force on 2023-08-22" in done.stdout


def test_installed_console_script_bad_input_has_no_traceback():
    done = spawn([str(installed_script()), "cost", "gtp-4", "1k", "tokens"])

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("llmcost: ")
    assert "Traceback" not in done.stderr


def test_a_closed_pipe_ends_quietly():
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before anything is written
    try:
        done = spawn([sys.executable, "-m", "bot.cli.main", "help"], stdout=write_end)
    finally:
        os.close(write_end)

    assert "Traceback" not in done.stderr


def test_json_carries_the_summary_and_every_source():
    document = cli_json("compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22")

    assert document["summary"].startswith("ft-gpt-3.5 is the cheapest at $2.60")
    assert len(document["sources"]) == 2
    assert all("openai.com" in source for source in document["sources"])


def test_tokens_reads_standard_input_and_takes_a_date():
    code, out, _ = run(
        ["--json", "--at", "2023-08-22", "tokens", "-"],
        today=TODAY,
        stdin=io.StringIO("Hello there,\ngeneral Kenobi"),
    )

    document = json.loads(out)
    assert code == 0
    assert document["characters"] == len("Hello there,\ngeneral Kenobi")
    assert document["as_of"] == "2023-08-22"
    assert "gpt-4o" not in [row["model"] for row in document["rows"]]  # not released yet


@pytest.mark.parametrize(
    ("value", "problem"), [("2023-02-30", "not a real date"), ("23-2-3", "YYYY-MM-DD")]
)
def test_a_bad_at_date_says_what_is_wrong(value, problem):
    assert problem in assert_one_error_line(*run(["--at", value, "models"], today=TODAY))


def test_finetune_text_keeps_its_verdict_on_one_line():
    _, out, _ = cli("finetune gpt-3.5-turbo 100k tokens 3 epochs as of 2025-01-01")

    assert "Fine-tuning costs $2.40: 300,000 tokens at $8/1M." in out.splitlines()


def test_the_models_table_names_the_friendly_alias_and_marks_shut_down_models():
    _, out, _ = cli("models gpt")
    lines = out.splitlines()

    assert any(line.startswith("gpt-4 (gpt-4-8k) ") for line in lines)
    assert any(line.startswith("ft:gpt-3.5-turbo (ft-gpt-3.5) ") for line in lines)
    assert any(line.startswith("gpt-4-32k [shut down] ") for line in lines)
    _, before, _ = cli("models as of 2023-08-22")
    assert "[shut down]" not in before


def test_tokens_from_an_empty_standard_input_says_so():
    err = assert_one_error_line(*run(["tokens", "-"], today=TODAY, stdin=io.StringIO("")))

    assert "standard input" in err


def test_the_same_amount_shows_the_same_digits_in_every_verb_and_parts_add_up():
    _, cost, _ = cli("cost gpt-4.1 60k in 11k out")
    _, compare, _ = cli("compare gpt-4.1 ft-gpt-4.1-mini 60k in 11k out")
    _, batch, _ = cli("cost gemini-3.8-flash 1M in 1M out batch")

    def cells(out: str, model: str) -> list[str]:
        return next(line.split() for line in out.splitlines() if line.startswith(f"{model} "))

    assert cells(cost, "gpt-4.1")[-3:] == ["$0.12", "$0.09", "$0.21"]
    assert cells(compare, "gpt-4.1")[-3:] == ["$0.12", "$0.09", "$0.21"]
    # $0.375 and $1.875 shown as parts of $2.25 add up to it.
    assert cells(batch, "gemini-3.8-flash")[-3:] == ["$0.38", "$1.87", "$2.25"]
    assert "= $0.38; 1,000,000 output at $1.875 = $1.87" in " ".join(batch.split())


def test_options_before_a_command_are_the_commands():
    from bot.cli.main import command_first

    assert command_first(["--json", "prices", "status"]) == ["prices", "status", "--json"]
    assert command_first(["--now", "2026-11-23T09:05:00+00:00", "clock", "--once"]) == [
        "clock",
        "--once",
        "--now",
        "2026-11-23T09:05:00+00:00",
    ]
    # A question keeps its options where they are: asking reads them anywhere.
    assert command_first(["--json", "compare", "gpt-4", "1M", "tokens"]) == [
        "--json",
        "compare",
        "gpt-4",
        "1M",
        "tokens",
    ]
