"""Brings the database to the latest schema revision; Store.create_schema calls it at start-up.

The schema changes only through Alembic revisions in bot/storage/migrations/versions/. To add a
table or a column:
  1. `python -m bot.storage.migrate revision "add budgets"` writes versions/NNNN_add_budgets.py,
     numbered after the latest and linked to it (down_revision);
  2. write its upgrade() and downgrade() as explicit op.* operations, naming every constraint
     and index as bot/storage/store.py's naming convention would;
  3. change the tables in bot/storage/store.py to match: tests/bot/storage/test_migrations.py fails
     while the revisions and the metadata disagree, on SQLite and on PostgreSQL.
A revision that has shipped is never edited: the databases it ran on would not see the edit.
"""

import argparse
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
# The revision that describes a database made by create_all before there were migrations.
BASELINE = "0001"

# One line when the schema changed, nothing when it did not (bot/storage/__init__.py quiets
# Alembic's own logging).
log = logging.getLogger(__name__)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built here rather than read from an alembic.ini, so that it works
    from an installed package and from any working directory. migrations/env.py runs the
    revisions on `connection`."""
    config = Config()
    # ConfigParser reads % as interpolation; a path may contain one.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def upgrade_to_latest(connection: Connection) -> None:
    """Bring the database on `connection` to the latest revision, inside its transaction.

    The caller has begun the transaction and taken the schema lock, so processes starting
    together migrate one after another, and the later ones find nothing left to do. A database
    made before migrations (some of the baseline's tables, no version) is adopted: the baseline
    tables it lacks are created, it is stamped at the baseline, and later revisions run on it.
    """
    config = alembic_config(connection)
    scripts = ScriptDirectory.from_config(config)
    current = MigrationContext.configure(connection).get_current_revision()
    latest = scripts.get_current_head()
    if current == latest:
        return
    adopted = current is None and adopt_legacy_schema(connection, config, scripts)
    command.upgrade(config, "head")
    was = "tables made before migrations" if adopted else f"revision {current or 'none'}"
    log.info("database schema upgraded to revision %s (was %s)", latest, was)


def adopt_legacy_schema(connection: Connection, config: Config, scripts: ScriptDirectory) -> bool:
    """Stamp a database made by create_all before migrations at the baseline, first creating the
    baseline tables it lacks (llmcost before digests made only threads and event claims).
    False, and nothing done, for a database with none of the baseline's tables."""
    baseline = scripts.get_revision(BASELINE).module
    present = set(inspect(connection).get_table_names())
    if not present & set(baseline.CREATE_TABLE):
        return False
    with Operations.context(MigrationContext.configure(connection)):
        for name, create in baseline.CREATE_TABLE.items():
            if name not in present:
                create()
    command.stamp(config, BASELINE)
    return True


def new_revision(message: str) -> Path:
    """Write an empty revision after the latest, numbered after it, and return its path."""
    config = alembic_config()
    latest = ScriptDirectory.from_config(config).get_current_head()
    number = f"{int(latest or 0) + 1:04d}"
    script = command.revision(config, message=message, rev_id=number)
    if not isinstance(script, Script):  # a list or None only for branches, which llmcost has not
        raise RuntimeError(f"alembic wrote no single revision for {message!r}: {script!r}")
    return Path(script.path)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.storage.migrate")
    commands = parser.add_subparsers(dest="command", required=True)
    revision = commands.add_parser("revision", help="write a new, empty schema revision")
    revision.add_argument("message", help='what it changes, e.g. "add budgets"')
    arguments = parser.parse_args()
    new_revision(arguments.message)  # Alembic says which file it wrote


if __name__ == "__main__":
    main()
