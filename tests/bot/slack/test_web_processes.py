"""How many web processes `llmcost serve` starts when WEB_CONCURRENCY is not set."""

import os

import pytest

from bot.slack import server
from pricing.cpus import usable_cpus


@pytest.mark.parametrize(("cpus", "expected"), [(1, 1), (2, 1), (4, 3), (16, 15)])
def test_one_web_process_fewer_than_the_cpus_at_least_one(monkeypatch, cpus, expected):
    monkeypatch.setattr(server, "usable_cpus", lambda: cpus)

    assert server.default_web_processes() == expected


def test_usable_cpus_are_those_this_process_may_run_on():
    assert usable_cpus() == len(os.sched_getaffinity(0))
