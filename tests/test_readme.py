"""The README shows real output: its sample answer is what llmcost prints today."""

import json
import re
import shlex
from datetime import date
from pathlib import Path

from bot.cli.asking import run

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_sample_answer_is_what_llmcost_prints():
    sample = re.search(r"```\n\$ llmcost (.*?)\n(.*?)\n\.\.\.\n```", README, re.S)
    assert sample is not None, "the README lost its sample answer"
    command, shown = sample.groups()

    code, out, _ = run(shlex.split(command), today=date(2026, 11, 24))

    assert code == 0
    assert out.startswith(shown)


def _phrasings() -> list[tuple[str, str]]:
    """(typed, read as) for each example of the README's table of phrasings."""
    section = README.split("### Phrasings", 1)[1].split("The rule for sizes", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| `")]
    return [
        (example, read_as)
        for typed, read_as in ((row[0].removeprefix("| "), row[1]) for row in rows)
        for example in re.findall(r"`([^`]+)`", typed)
    ]


def test_every_phrasing_in_the_readme_works_when_pasted():
    phrasings = _phrasings()
    assert len(phrasings) >= 20
    for typed, read_as in phrasings:
        # As one quoted argument, as the README says to paste a question into a shell.
        code, out, err = run([typed], today=date(2026, 11, 24))
        refused = "(exit 2)" in read_as
        assert code == (2 if refused else 0), (typed, err)
        assert "Traceback" not in out + err


def test_the_calculators_view_in_the_readme_is_the_one_sent():
    from bot.render.calculator import calculator_view

    section = README.split("### Using it in Slack without typing", 1)[1]
    shown = re.search(r"```json\n(.*?)\n```", section, re.S)
    assert shown is not None, "the README lost the calculator's view"
    assert json.loads(shown.group(1)) == calculator_view("C0GENERAL")
