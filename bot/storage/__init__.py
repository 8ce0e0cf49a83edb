"""Storage: what the bot keeps in its database, and the migrations that shape that database."""

import logging

# Alembic logs at INFO as soon as it is imported (its plugins) and again on every run, which
# would fill every start-up's output; bot.storage.migrate says what changed in one line instead.
# Set here, in the package's __init__, because it must happen before Alembic is first imported.
logging.getLogger("alembic").setLevel(logging.WARNING)
