"""Storage: SQLAlchemy tables, Alembic migrations and the :class:`Store` facade."""

from jobgate.storage.store import Store, UpsertCounts, content_hash

__all__ = ["Store", "UpsertCounts", "content_hash"]
