"""Alembic environment: runs against the engine handed over by jobgate.storage.migrate."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from jobgate.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Migrate using the engine jobgate passed in (or JOBGATE_DATABASE_URL for the CLI)."""
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(os.environ.get("JOBGATE_DATABASE_URL", "sqlite:///var/jobgate.sqlite3"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
