"""`llmcost digest preview`: the digest in a terminal, its options, and its errors."""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.cli.digest import USAGE, main, run

TODAY = date(2026, 11, 30)
ROOT = Path(__file__).resolve().parents[3]
DIGEST_FILE = ROOT / "tests" / "data" / "digest_tariffs.toml"
GPT_4O_CUT = ["preview", "--since", "2024-09-25", "--until", "2024-10-03"]


@pytest.fixture(autouse=True)
def no_user_tariffs(monkeypatch):
    monkeypatch.delenv("LLMCOST_TARIFFS", raising=False)
    monkeypatch.delenv("LLMCOST_DEBUG", raising=False)


def digest(*words: str, today: date = TODAY) -> tuple[int, str, str]:
    return run([word for text in words for word in text.split()], today=today)


def one_error_line(code: int, out: str, err: str) -> str:
    assert code == 2
    assert out == ""
    assert err.startswith("llmcost: ")
    assert "\n" not in err
    assert "Traceback" not in err
    return err


# --- preview ------------------------------------------------------------------------------------


def test_preview_of_the_gpt_4o_cut():
    code, out, err = run(GPT_4O_CUT, today=TODAY)

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "LLM tariff digest: 26 Sep - 3 Oct 2024"
    assert "  - GPT-4o (openai) input $5 -> $2.50 per 1M (-50%), from 2024-10-02" in lines
    assert "  - GPT-4o (openai) output $15 -> $10 per 1M (-33%), from 2024-10-02" in lines


def test_preview_defaults_to_the_last_seven_days(monkeypatch):
    monkeypatch.setenv("LLMCOST_TARIFFS", str(DIGEST_FILE))
    code, out, err = digest("preview --watch acme")

    assert (code, err) == (0, "")
    assert out.startswith("LLM tariff digest: 24 Nov - 30 Nov 2026")


def test_until_alone_means_the_seven_days_before_it():
    code, out, _err = digest("preview --until 2024-10-03 --watch gpt-4o")

    assert code == 0
    assert out.startswith("LLM tariff digest: 27 Sep - 3 Oct 2024")


def test_llmcost_tariffs_is_honoured(monkeypatch):
    monkeypatch.setenv("LLMCOST_TARIFFS", str(DIGEST_FILE))
    code, out, _err = digest("preview --since 2026-11-23 --until 2026-11-30 --watch acme")

    assert code == 0
    assert "Cutter (acme) input $10 -> $5 per 1M (-50%)" in out
    assert "Riser" in out
    assert "Netter" not in out  # beta's


def test_tariffs_option_and_watch_forms():
    for watch in ("--watch beta", "--watch=beta", "--watch beta,acme", "--watch beta --watch acme"):
        code, out, _err = digest(
            f"preview --tariffs={DIGEST_FILE} --since 2026-11-23 --until 2026-11-30 {watch}"
        )
        assert code == 0, watch
        assert "Netter (beta)" in out
        assert ("Cutter (acme)" in out) == ("acme" in watch)


def test_a_quiet_week_is_one_line():
    code, out, _err = digest("preview --since 2024-10-03 --until 2024-10-10 --watch openai,gpt-4o")

    assert code == 0
    assert out == "No tariff changes from 4 Oct to 10 Oct 2024 for openai, gpt-4o."


def test_json_preview():
    code, out, err = run([*GPT_4O_CUT, "--json"], today=TODAY)

    assert (code, err) == (0, "")
    document = json.loads(out)
    assert (document["since"], document["until"]) == ("2024-09-25", "2024-10-03")
    cuts = [(c["model"], c["tier"], c["price"], c["new"]) for c in document["changes"]["cuts"]]
    standard = [cut for cut in cuts if cut[1] == "standard" and cut[2] in ("input", "output")]
    assert standard == [
        ("gpt-4o", "standard", "input", "2.5"),
        ("gpt-4o", "standard", "output", "10"),
    ]
    # Prompt caching launched in the same window: the cached-input rates are changes too.
    assert ("gpt-4o-mini", "standard", "cache_read", "0.075") in cuts
    assert ("gpt-4o", "batch", "input", "1.25") in cuts


# --- usage and errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("words", ["--help", "-h", "help", "preview --help"])
def test_help_prints_usage(words):
    assert digest(words) == (0, USAGE, "")


def test_digest_alone_prints_usage_and_fails():
    code, out, err = digest("")

    assert (code, out) == (2, "")
    assert err == USAGE


@pytest.mark.parametrize("command", ["subscribe", "unsubscribe", "status", "watch"])
def test_slack_commands_say_they_work_in_slack(command):
    err = one_error_line(*digest(f"{command} openai"))

    assert f"digest {command} works in Slack: /llmcost digest {command}" in err
    assert "in the terminal: llmcost digest preview" in err


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("prevew", "Did you mean 'preview'?"),
        ("preview --since 2026-13-01", "--since 2026-13-01 is not a real date"),
        ("preview --until 30/11/2026", "is not a date as YYYY-MM-DD; e.g. --until 2026-11-30"),
        ("preview --since", "--since needs a value, e.g. --since"),
        ("preview --since 2026-11-30 --until 2026-11-23", "is not before --until 2026-11-23"),
        ("preview --since 2026-11-30", "--since 2026-11-30 is not before --until 2026-11-30"),
        ("preview --bogus", "Unknown option --bogus for 'digest preview'; it takes --since"),
        ("preview openai", "write --watch openai"),
        ("preview --watch opnai", "called 'opnai'. Watch a provider id"),
        ("preview --until 0001-01-07", "--until 0001-01-07 is in the year 1; digests are dated"),
        ("preview --since 9999-12-30", "between 1900 and 2200, e.g. --since"),
    ],
)
def test_bad_input_is_one_line_saying_what_works(words, expected):
    err = one_error_line(*digest(words))

    assert expected in err


def test_an_unknown_watch_term_gets_did_you_mean():
    err = one_error_line(*digest("preview --watch antropic"))

    assert err.endswith("Did you mean: anthropic?")


def test_a_broken_tariffs_file_is_one_line(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[[tariff]]\nmodel = 'x'\n", encoding="utf-8")

    err = one_error_line(*digest(f"preview --tariffs {broken}"))

    assert str(broken) in err


def test_json_errors_are_json_on_stdout():
    code, out, err = digest("preview --json --watch opnai")

    assert (code, err) == (2, "")
    assert json.loads(out)["error"]["suggestions"] == ["openai"]


def test_main_prints_and_returns_the_code(capsys):
    assert main(["subscribe"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("llmcost: digest subscribe works in Slack")


def test_main_turns_a_crash_into_one_line(monkeypatch, capsys):
    def crash(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("bot.cli.digest.run", crash)

    assert main(["preview"]) == 1
    assert capsys.readouterr().err.startswith("llmcost: internal error: RuntimeError('boom')")


# --- real processes -----------------------------------------------------------------------------


def spawn(args: list[str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"LLMCOST_TARIFFS", "LLMCOST_DEBUG"}}
    return subprocess.run(
        args, capture_output=True, text=True, timeout=60, env=env, cwd=ROOT, check=False
    )


def assert_gpt_4o_cut(done: subprocess.CompletedProcess) -> None:
    assert (done.returncode, done.stderr) == (0, "")
    assert "GPT-4o (openai) input $5 -> $2.50 per 1M (-50%), from 2024-10-02" in done.stdout


def test_module_entry_point_in_a_real_process():
    assert_gpt_4o_cut(spawn([sys.executable, "-m", "bot.cli.digest", *GPT_4O_CUT]))


def _dispatches_digest() -> bool:
    # `llmcost digest ...` reaches this module once bot/cli/main.py dispatches it.
    return "bot.cli.digest" in (ROOT / "bot" / "cli" / "main.py").read_text(encoding="utf-8")


@pytest.mark.skipif(
    not _dispatches_digest(), reason="bot/cli/main.py does not dispatch 'digest' yet"
)
def test_installed_console_script_previews():
    script = Path(sys.executable).with_name("llmcost")
    if not script.exists():
        pytest.skip(f"no llmcost console script next to {sys.executable}")

    assert_gpt_4o_cut(spawn([str(script), "digest", *GPT_4O_CUT]))
    done = spawn([str(script), "digest", "subscribe"])
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
