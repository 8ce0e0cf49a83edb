"""Every benchmark, one after another, each printing its ratio against a baseline measured in
the same run. Run by hand on an otherwise idle machine: python bench/run.py"""

import cli_bench
import digest_bench
import prices_bench
import pricing_bench
import slack_bench
import tokens_bench


def main() -> None:
    for bench in (tokens_bench, pricing_bench, cli_bench, slack_bench, digest_bench, prices_bench):
        bench.main()
        print()


if __name__ == "__main__":
    main()
