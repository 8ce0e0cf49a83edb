"""The long-running processes' tariffs: built once, refreshed daily, never lost to a bad file."""

import logging
import subprocess
import sys
from datetime import date
from pathlib import Path

from bot.answering import Answerer

TODAY = date(2026, 11, 30)
PRICE = """
[[tariff]]
model = "acme-large"
provider = "acme"
effective = {effective}
input_per_mtok = "{price}"
output_per_mtok = "2.00"
"""


def test_a_refresh_picks_up_new_prices(tmp_path: Path) -> None:
    tariffs = tmp_path / "tariffs.toml"
    tariffs.write_text(PRICE.format(effective="2026-11-01", price="1.00"))
    answerer = Answerer(tariffs, today=lambda: TODAY)
    assert answerer.book().resolve("acme-large").latest.input_per_mtok == 1

    tariffs.write_text(tariffs.read_text() + PRICE.format(effective="2026-11-28", price="0.50"))
    assert answerer.refresh() is True

    history = answerer.book().resolve("acme-large").entries
    assert [entry.input_per_mtok for entry in history] == [1, 0.5]


def test_a_malformed_source_keeps_the_last_good_tariffs_and_is_logged(
    tmp_path: Path, caplog
) -> None:
    tariffs = tmp_path / "tariffs.toml"
    tariffs.write_text(PRICE.format(effective="2026-11-01", price="1.00"))
    answerer = Answerer(tariffs, today=lambda: TODAY)
    before = answerer.book()

    tariffs.write_text("[[tariff]]\nmodel = 'acme-large'\ninput_per_mtok = 'cheap'\n")
    with caplog.at_level(logging.ERROR, logger="bot.answering"):
        assert answerer.refresh() is False
    tariffs.unlink()
    assert answerer.refresh() is False

    assert answerer.book() is before
    assert answerer.book().resolve("acme-large").latest.input_per_mtok == 1
    messages = [record.getMessage() for record in caplog.records]
    assert any("keeping the ones loaded before" in m and "tariffs.toml" in m for m in messages)


WARMED = """
import sys
from datetime import date

from pydantic import BaseModel

import pricing.answers
from bot.answering import Answerer
from pricing.verbs.registry import VERBS

Answerer(None, today=date.today).warm()
models = [
    m
    for m in vars(pricing.answers).values()
    if isinstance(m, type) and issubclass(m, BaseModel) and m.model_fields  # not the bases
]
print(sorted(n for n in VERBS if f"pricing.verbs.{n}" not in sys.modules))
print(sorted(m.__name__ for m in models if type(m.__pydantic_validator__).__name__ == "MockValSer"))
"""


def test_warming_loads_every_verb_and_answer_a_terminal_would_load_as_asked() -> None:
    """A server's first question of each kind neither imports its verb nor builds its answer's
    validator (nor do two threads build one at once)."""
    unloaded, unbuilt = subprocess.run(
        [sys.executable, "-c", WARMED], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert unloaded == "[]"
    assert unbuilt == "[]"
