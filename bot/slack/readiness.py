"""Getting `serve`'s answering ready: the database, the tariffs, the picker's index and the
tokenizers, loaded off the event loop; then handed to the listeners through `Services`."""

import gc
import logging
import sys
from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError
from bot.wall_clock import utc_today
from pricing.errors import LlmcostError

if TYPE_CHECKING:  # the supervisor imports this module too, and needs none of them
    from bot.slack.services import Services

log = logging.getLogger(__name__)

EXIT_BAD_SETTINGS = 2


def fail(error: SettingsError) -> int:
    print(f"llmcost serve: {error.message}", file=sys.stderr, flush=True)
    return EXIT_BAD_SETTINGS


def get_ready(settings: Settings, services: "Services") -> None:
    """Open the database, load the tariffs and the tokenizers, then hand the answerer and the
    store to the listeners (their work waits for them; acks never do)."""
    from bot.answering import Answerer
    from bot.storage.engine import open_store
    from bot.storage.snapshots import SnapshotStore
    from pricing import tokens
    from pricing.model_search import ModelIndex

    try:
        store = open_store(settings)
    except SettingsError as error:
        services.cannot_provide(error)
        raise
    answerer = Answerer(settings.llmcost_tariffs, today=utc_today, snapshots=SnapshotStore(store))
    try:
        # Here, not on the event loop, where the first question would otherwise load them.
        answerer.warm()
    except LlmcostError as error:  # a malformed LLMCOST_TARIFFS file
        services.cannot_provide(error)
        raise SettingsError(f"LLMCOST_TARIFFS: {error.message}") from error

    # The model picker's index, before the first keystroke asks for it, and for each new book
    # in the thread that takes it up, not on the event loop.
    def index_models() -> None:
        ModelIndex.of(answerer.book())

    index_models()
    answerer.when_new_book(index_models)
    # So that the first `tokens` question does not load them (about a second) while answering.
    try:
        for encoding in tokens.ENCODINGS:
            tokens.count("warm", encoding)
    except tokens.TokenizerDataError as error:  # a `tokens` question will say so itself
        log.error("tokenizers not loaded: %s", error)
    # The tariffs are tens of thousands of objects that live as long as the process; without
    # this, every full collection walks them all (12 ms measured) in the middle of an answer.
    gc.freeze()
    log.info("ready: tariffs loaded")
    answerer.follow_in_background(settings.llmcost_prices_check_seconds, quiet=services.quiet)
    services.provide(answerer, store)
