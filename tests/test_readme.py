"""The README shows real output: its sample answer is what llmcost prints today."""

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
