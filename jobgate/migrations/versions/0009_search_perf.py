"""search speed: PostgreSQL tsvector on the narrow catalogue_search row; (published_at, salary) index

Revision ID: 0009_search_perf
Revises: 0008_sirene_cache
Create Date: 2026-11-22 14:00:00

PostgreSQL: ``tsv`` moves from ``catalogue_text`` (wide rows: text, summary) to
``catalogue_search`` with its GIN index, so one table answers words and filters
together (a BitmapAnd of the GIN and a filter index, or a walk of ``doc DESC``
testing ``tsv``) and facet samples read narrow rows. ``toast_tuple_target = 128``
keeps the tsvector out of line, so the rows stay narrow for the filter-only scans.
Both: ``ix_search_published`` becomes ``(published_at, salary_yearly)``, so a
``since`` + ``salaire_min`` search is answered inside one index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009_search_perf"
down_revision = "0008_sirene_cache"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_search_published", table_name="catalogue_search")
    op.create_index("ix_search_since_salary", "catalogue_search", ["published_at", "salary_yearly"])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE catalogue_search SET (toast_tuple_target = 128)")
    op.add_column("catalogue_search", sa.Column("tsv", postgresql.TSVECTOR(), nullable=True))
    op.execute(
        "UPDATE catalogue_search s SET tsv = COALESCE(t.tsv, to_tsvector('french', t.text)) "
        "FROM catalogue_text t WHERE t.doc = s.doc"
    )
    op.create_index("ix_search_tsv", "catalogue_search", ["tsv"], postgresql_using="gin")
    op.drop_index("ix_catalogue_text_tsv", table_name="catalogue_text")
    op.drop_column("catalogue_text", "tsv")
    op.execute("ANALYZE catalogue_search")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("catalogue_text", sa.Column("tsv", postgresql.TSVECTOR(), nullable=True))
        op.execute("UPDATE catalogue_text t SET tsv = s.tsv FROM catalogue_search s WHERE s.doc = t.doc")
        op.create_index("ix_catalogue_text_tsv", "catalogue_text", ["tsv"], postgresql_using="gin")
        op.drop_index("ix_search_tsv", table_name="catalogue_search")
        op.drop_column("catalogue_search", "tsv")
        op.execute("ALTER TABLE catalogue_search RESET (toast_tuple_target)")
    op.drop_index("ix_search_since_salary", table_name="catalogue_search")
    op.create_index("ix_search_published", "catalogue_search", ["published_at"])
