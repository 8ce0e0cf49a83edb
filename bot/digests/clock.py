"""`llmcost clock`: the one scheduler process (the Procfile's `clock`), never one per web worker.

Two jobs on APScheduler: every minute a dispatch pass posts the digests that are due, and once a
day the tariff sources are loaded again, after fetching genai-prices' published data file (also
at start-up when the stored one is missing or more than a day old; see bot.prices.refresh).
Subscriptions live in the database, so a channel that subscribes through the web process is
served on the next pass without a restart.
Passes are safe to repeat and to run in several processes at once (see bot.digests.dispatch), so a
second clock started by mistake, or `llmcost clock --once` run by an operator, posts nothing
twice.
"""

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.leaving import leave_now
from bot.settings import ClockSettings, SettingsError, load_clock_settings
from bot.wall_clock import utc_now, utc_today
from pricing.errors import summary

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from sqlalchemy.engine import Engine

    from bot.digests.dispatch import Dispatcher, PassReport
    from bot.slack.install.workspaces import TokenSource

log = logging.getLogger(__name__)

USAGE = """\
usage: llmcost clock [--once [--now ISO-8601]]

Posts subscribed channels' tariff digests when they are due; run exactly one.
  --once          run one dispatch pass and exit (catching up, or a cron job)
  --now INSTANT   with --once: the pass as of this past instant (at most 24 hours ahead),
                  e.g. 2026-11-23T09:05:00+00:00

Settings come from the environment (or a .env file), as for `llmcost serve`:
  SLACK_BOT_TOKEN   Bot User OAuth Token, xoxb-... (required)
  DATABASE_URL      the same database as `llmcost serve` (default sqlite:///llmcost.db)
  SLACK_API_URL     Slack's Web API (default https://slack.com/api/)
  LLMCOST_TARIFFS   your own tariffs file, reloaded daily
  LLMCOST_PRICES_URL  genai-prices' data file, fetched daily (default: genai-prices'
                    published v2 data.json; off: never fetch, the installed data serves)
  LOG_LEVEL         DEBUG, INFO (default), WARNING or ERROR"""

EXIT_BAD_INPUT = 2
MAX_AHEAD = timedelta(hours=24)
EXIT_NOT_ALL_POSTED = 1
# A pass of 1,000 channels takes under a second; this is a bound, not an estimate.
ONCE_LIMIT_SECONDS = 15 * 60


class PassTooLong(Exception):
    """`clock --once` gave up on its pass; the message says so in one line."""


DISPATCH_EVERY_SECONDS = 60
# Tariffs are refreshed daily at this UTC hour, away from the usual 09:00 digests.
REFRESH_HOUR_UTC = 4
PRICES_STALE_AFTER = timedelta(days=1)


class _Arguments(argparse.Namespace):
    once: bool
    now: str | None


def _read_arguments(argv: list[str]) -> _Arguments:
    parser = argparse.ArgumentParser(prog="llmcost clock", usage=USAGE, add_help=False)
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--now")
    arguments, unknown = parser.parse_known_args(argv, namespace=_Arguments())
    if unknown:
        raise SettingsError(f"unexpected arguments {' '.join(unknown)}")
    if arguments.now is not None and not arguments.once:
        raise SettingsError("--now goes with --once: a running clock follows the real time")
    return arguments


def parse_instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise SettingsError(
            f"--now {text} is not an ISO 8601 instant; for example 2026-11-23T09:05:00+00:00"
        ) from None
    if instant.tzinfo is None:
        raise SettingsError(
            f"--now {text} has no UTC offset, so it could be any of 24 instants; "
            f"for example {text}+00:00"
        )
    from bot.digests.schedules import FIRST_YEAR, LAST_YEAR

    if not FIRST_YEAR <= instant.year <= LAST_YEAR:
        raise SettingsError(
            f"--now {text} is in the year {instant.year}; digests are dated between "
            f"{FIRST_YEAR} and {LAST_YEAR}"
        )
    return instant.astimezone(UTC)


def check_not_ahead(instant: datetime, real_now: datetime) -> None:
    """A pass as of the future would record digests for weeks to come, and the channels would
    get nothing until then: `--now` is for catching up on past instants."""
    if instant > real_now + MAX_AHEAD:
        raise SettingsError(
            f"--now {instant.isoformat()} is more than 24 hours ahead of the real time "
            f"({real_now.isoformat(timespec='minutes')}); --now catches up on past instants, "
            "a mistyped year would stop every channel's digests until then"
        )


def main(argv: list[str]) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if argv[:1] in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    try:
        arguments = _read_arguments(argv)
        now = parse_instant(arguments.now) if arguments.now else None
        if now is not None:
            check_not_ahead(now, utc_now())
        settings = load_clock_settings()
    except SettingsError as error:
        print(f"llmcost clock: {error.message}", file=sys.stderr, flush=True)
        return EXIT_BAD_INPUT
    logging.getLogger("bot").setLevel(settings.log_level)
    try:
        clock = Clock(settings)
    except SettingsError as error:
        print(f"llmcost clock: {error.message}", file=sys.stderr, flush=True)
        return EXIT_BAD_INPUT
    from sqlalchemy.exc import SQLAlchemyError

    try:
        if arguments.once:
            report = asyncio.run(clock.once_within(now or utc_now(), ONCE_LIMIT_SECONDS))
            print(f"dispatch as of {(now or utc_now()).isoformat()}: {report.summary()}")
            # For cron and operators: a digest Slack would not take is worth a look.
            if report.outcomes["failed"] or report.outcomes["unsettled"]:
                return EXIT_NOT_ALL_POSTED
        else:
            asyncio.run(clock.run_forever())
    except SQLAlchemyError as error:
        # The database went away after start-up: one line, as at start-up; claims this pass
        # took expire after their lease, and the next run posts what is still owed.
        print(f"llmcost clock: {database_trouble(error)}", file=sys.stderr, flush=True)
        return EXIT_BAD_INPUT
    except PassTooLong as error:
        print(f"llmcost clock: {error}", file=sys.stderr, flush=True)
        return EXIT_NOT_ALL_POSTED
    finally:
        clock.close()
    return 0


def database_trouble(error: Exception) -> str:
    """One line for a database that failed mid-pass; the next run catches up."""
    reason = summary(getattr(error, "orig", None) or error)
    return (
        f"DATABASE_URL: the database failed during the pass ({reason}); "
        "the next run posts what is still owed"
    )


class Clock:
    def __init__(self, settings: ClockSettings) -> None:
        from bot.answering import Answerer
        from bot.storage.engine import open_store
        from bot.storage.snapshots import SnapshotStore
        from bot.storage.subscriptions import DigestStore

        self._settings = settings
        self._store = open_store(settings)
        self._snapshots = SnapshotStore(self._store)
        self._answerer = Answerer(
            settings.llmcost_tariffs, today=utc_today, snapshots=self._snapshots
        )
        try:
            self._answerer.warm()
        except Exception as error:
            self._store.close()
            message = getattr(error, "message", repr(error))
            raise SettingsError(f"LLMCOST_TARIFFS: {message}") from error
        self._digests = DigestStore(self._store)
        self._claimer = f"{socket.gethostname()}:{os.getpid()}"
        self._refreshing: threading.Thread | None = None

    def close(self) -> None:
        self._store.close()

    def refresh(self) -> None:
        """The daily job: fetch genai-prices' data file (unless LLMCOST_PRICES_URL is off), then
        load the tariff sources again, the newest snapshot among them. Never raises: a failure
        keeps what is in force, and the next day tries again."""
        from bot.prices.refresh import refresh_prices

        url = self._settings.prices_url
        if url is not None:
            try:
                refresh_prices(self._snapshots, url, now=utc_now())
            except Exception:
                log.exception("prices refresh failed; the data in force stays")
        self._answerer.refresh()

    async def refresh_beside(self) -> None:
        """`refresh` in a daemon thread of its own: the schedule goes on while it downloads (its
        deadline is 30 s, but a digest owed now is not held for it), and stopping the clock does
        not wait for it (a refresh stores a file in one transaction: cut off, it stores nothing).
        """
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()

        def settle() -> None:
            if not done.done():
                done.set_result(None)

        def run() -> None:
            try:
                self.refresh()
            finally:
                with contextlib.suppress(RuntimeError):  # the loop ended first: nobody waits
                    loop.call_soon_threadsafe(settle)

        self._refreshing = threading.Thread(target=run, name="prices-refresh", daemon=True)
        self._refreshing.start()
        with contextlib.suppress(asyncio.CancelledError):
            await done  # cancelled: the clock is stopping (`refresh_ended` decides)

    async def refresh_ended(self) -> None:
        """On stopping: a prices refresh still in flight is not waited for (a download may take
        its whole 30 s deadline; a refresh stores its file in one transaction, so cut off, it
        stores nothing). The process then leaves at once (`leave_now`): an interpreter shutting
        down under a thread inside a C or Rust extension (a book being built in pydantic-core)
        aborts with "FATAL: exception not rethrown" instead of exiting."""
        thread = self._refreshing
        if thread is not None and thread.is_alive():
            log.info("clock stopping during a prices refresh; it ends with the process")
            leave_now(0)

    def prices_are_stale(self) -> bool:
        """At start-up: is the stored data file missing or more than a day old?"""
        from bot.prices.in_force import newest_snapshot

        if self._settings.prices_url is None:
            return False
        newest = newest_snapshot(self._snapshots)
        return newest is None or utc_now() - newest.fetched_at > PRICES_STALE_AFTER

    async def once_within(self, now: datetime, seconds: float) -> "PassReport":
        """One pass, given up after `seconds` with one line (every wait inside is bounded; this
        bounds their sum): its claims expire after their lease and the next run posts them."""
        try:
            async with asyncio.timeout(seconds):
                return await self.once(now)
        except TimeoutError:
            raise PassTooLong(
                f"the dispatch pass did not end within {seconds:g} s (waiting on Slack or the "
                "database); its claims expire after their lease and the next run posts what is "
                "still owed"
            ) from None

    async def once(self, now: datetime) -> "PassReport":
        async with self._dispatcher() as dispatcher:
            return await dispatcher.run_pass(now)

    async def run_forever(self) -> None:
        """The scheduler until SIGINT or SIGTERM. Longer than 60 lines: its two jobs are set up
        here, beside the stop event and the set of passes in flight they share."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        stale = self.prices_are_stale()
        async with self._dispatcher() as dispatcher:
            passes: set[asyncio.Task[None]] = set()

            async def dispatch() -> None:
                task = asyncio.current_task()
                assert task is not None
                passes.add(task)
                try:
                    report = await dispatcher.run_pass(utc_now())
                    if report.claimed:
                        log.info("dispatch: %s", report.summary())
                    else:
                        log.debug("dispatch: %s", report.summary())
                except Exception:
                    # The next pass tries again; claims left behind expire after their lease.
                    log.exception("dispatch pass failed")
                finally:
                    passes.discard(task)

            scheduler = AsyncIOScheduler(timezone=UTC)
            # coalesce and max_instances=1: a pass that overruns, or a host that slept, leads
            # to one pass afterwards, not a burst of them.
            scheduler.add_job(
                dispatch,
                IntervalTrigger(seconds=DISPATCH_EVERY_SECONDS, timezone=UTC),
                id="dispatch",
                next_run_time=utc_now(),
                coalesce=True,
                max_instances=1,
                misfire_grace_time=DISPATCH_EVERY_SECONDS,
            )
            # A stale file is fetched now, beside the first pass rather than before it (a
            # next_run_time of None would add the job paused).
            now = {"next_run_time": utc_now()} if stale else {}
            scheduler.add_job(
                self.refresh_beside,
                CronTrigger(hour=REFRESH_HOUR_UTC, minute=0, timezone=UTC),
                id="refresh-tariffs",
                coalesce=True,
                max_instances=1,
                **now,
            )
            scheduler.start()
            log.info(
                "clock running: digests every %ds, tariffs refreshed daily at %02d:00 UTC",
                DISPATCH_EVERY_SECONDS,
                REFRESH_HOUR_UTC,
            )
            await stop.wait()
            log.info("clock stopping")
            await _stop(scheduler, passes)
        await self.refresh_ended()

    @asynccontextmanager
    async def _dispatcher(self) -> AsyncIterator["Dispatcher"]:
        """A Dispatcher whose Slack client keeps one connection pool for as long as it is used."""
        from slack_sdk.web.async_client import AsyncWebClient

        from bot.digests.dispatch import Dispatcher
        from bot.slack.client import configure_patient_client, shared_session

        client = AsyncWebClient(token=self._settings.slack_bot_token)
        configure_patient_client(client, self._settings.slack_api_url)
        async with shared_session(client):
            yield Dispatcher(
                self._digests,
                client,
                self._answerer.book,
                claimer=self._claimer,
                snapshots=self._snapshots,
                tokens=self._installed_workspaces(),
            )

    def _installed_workspaces(self) -> "TokenSource | None":
        """In distribution, each workspace's token from its installation; otherwise None: the
        client's own token, SLACK_BOT_TOKEN, posts every digest."""
        if not self._settings.distribution:
            return None
        from bot.slack.install.installed import InstalledWorkspaces

        store = self._store

        async def engine() -> "Engine":
            return store.engine

        async def enterprise_of(team_id: str) -> str | None:
            return await asyncio.to_thread(store.installed_enterprise, team_id)

        return InstalledWorkspaces(self._settings, engine, enterprise_of)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


async def _stop(scheduler: "AsyncIOScheduler", passes: set[asyncio.Task[None]]) -> None:
    """Start no new job, let a running pass finish (one cut off mid-post would leave claims to
    expire), then shut the scheduler down: its asyncio executor cancels the jobs still running,
    so this comes last (a refresh still downloading is let go; see `refresh_beside`)."""
    scheduler.pause()
    # A pass APScheduler started a moment ago has not run its first line (which adds it to
    # `passes`) yet; let it.
    await asyncio.sleep(0)
    if passes:
        await asyncio.wait(set(passes))
    scheduler.shutdown(wait=False)
