"""Every benchmark that compares against a baseline, one after another, each printing its ratio
against a baseline measured in the same run (bench/hostile.py counts failures instead and runs on
its own). Run by hand on an otherwise idle machine: python bench/run.py"""

import chart_bench
import cli_bench
import click_bench
import digest_bench
import prices_bench
import pricing_bench
import slack_bench
import tokens_bench
import workspaces_bench

BENCHES = (
    tokens_bench,
    pricing_bench,
    cli_bench,
    slack_bench,
    digest_bench,
    prices_bench,
    chart_bench,
    click_bench,
    workspaces_bench,
)


def main() -> None:
    for bench in BENCHES:
        bench.main()
        print()


if __name__ == "__main__":
    main()
