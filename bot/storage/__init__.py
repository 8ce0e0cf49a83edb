"""The database shared by the web and clock processes: threads, event claims, subscriptions, and
the migrations that shape it."""

import logging

# Alembic logs at INFO as soon as it is imported (its plugins) and again on every run, which
# would fill every start-up's output; bot.storage.migrate says what changed in one line instead.
# Set here, in the package's __init__, because it must happen before Alembic is first imported.
logging.getLogger("alembic").setLevel(logging.WARNING)
