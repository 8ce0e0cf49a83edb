"""The Alembic environment (env.py) and revisions (versions/) of llmcost's database schema."""
