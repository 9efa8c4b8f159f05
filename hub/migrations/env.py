"""Alembic's entry: run the store's migrations on the connection `hub/store_migrate.py` hands it.

The store never lets Alembic open its own connection: the caller holds the migration lock on
that connection (PostgreSQL advisory lock) and commits when every migration has run, so a
failed migration leaves the database as it was.
"""

from __future__ import annotations

from alembic import context

from hub.store_migrate import VERSION_TABLE

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    on_version_apply=config.attributes.get("on_version_apply"),
)
with context.begin_transaction():
    context.run_migrations()
