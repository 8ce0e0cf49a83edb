"""Alembic's environment: runs revisions on the connection bot.storage.migrate hands it.

The caller has already opened a transaction and taken the schema lock on that connection, so the
revisions run inside it (Alembic sees the transaction and leaves committing to the caller).
There is no offline (SQL script) mode: llmcost always migrates a live database at start-up.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead, on SQLite only.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
