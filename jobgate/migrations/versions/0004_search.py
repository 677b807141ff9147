"""catalogue search index: narrow filter table, text + summary, FTS5 / tsvector, facet cube

Revision ID: 0004_search
Revises: 0006
Create Date: 2026-11-22 10:00:00

SQLite: ``catalogue_fts`` is an FTS5 external-content index over
``catalogue_text.text`` (unicode61, diacritics removed), kept in sync by triggers.
PostgreSQL: ``catalogue_text.tsv`` holds ``to_tsvector('french', text)`` of the
pre-folded text (written by the indexer), with a GIN index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0004_search'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'catalogue_search',
        sa.Column('doc', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('cluster_id', sa.String(length=40), nullable=False),
        sa.Column('cluster_updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rome_code', sa.String(length=8), nullable=True),
        sa.Column('rome_domain', sa.String(length=1), nullable=True),
        sa.Column('departement', sa.String(length=4), nullable=True),
        sa.Column('region', sa.String(length=4), nullable=True),
        sa.Column('insee', sa.String(length=8), nullable=True),
        sa.Column('city', sa.String(length=128), nullable=True),
        sa.Column('contract', sa.String(length=32), nullable=True),
        sa.Column('salary_yearly', sa.Float(), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('public_service', sa.Boolean(), nullable=False),
        sa.Column('direct_contact', sa.Boolean(), nullable=False),
        sa.UniqueConstraint('cluster_id'),
    )
    for name, cols in (
        ('ix_search_departement', ['departement', 'doc']),
        ('ix_search_contract', ['contract', 'doc']),
        ('ix_search_rome', ['rome_code', 'doc']),
        ('ix_search_domain', ['rome_domain', 'doc']),
        ('ix_search_insee', ['insee']),
        ('ix_search_city', ['city']),
        ('ix_search_lat', ['latitude', 'longitude']),
        ('ix_search_published', ['published_at']),
    ):
        op.create_index(name, 'catalogue_search', cols)
    op.create_table(
        'catalogue_text',
        sa.Column('doc', sa.Integer(), sa.ForeignKey('catalogue_search.doc', ondelete='CASCADE'), primary_key=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('summary', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    )
    op.create_table(
        'catalogue_facets',
        sa.Column('contract', sa.String(length=32), primary_key=True),
        sa.Column('departement', sa.String(length=4), primary_key=True),
        sa.Column('rome_domain', sa.String(length=1), primary_key=True),
        sa.Column('n', sa.Integer(), nullable=False),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.add_column('catalogue_text', sa.Column('tsv', postgresql.TSVECTOR(), nullable=True))
        op.create_index('ix_catalogue_text_tsv', 'catalogue_text', ['tsv'], postgresql_using='gin')
    else:
        op.execute(
            "CREATE VIRTUAL TABLE catalogue_fts USING fts5(text, content='catalogue_text', "
            "content_rowid='doc', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER catalogue_text_ai AFTER INSERT ON catalogue_text BEGIN "
            "INSERT INTO catalogue_fts(rowid, text) VALUES (new.doc, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER catalogue_text_ad AFTER DELETE ON catalogue_text BEGIN "
            "INSERT INTO catalogue_fts(catalogue_fts, rowid, text) VALUES ('delete', old.doc, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER catalogue_text_au AFTER UPDATE ON catalogue_text BEGIN "
            "INSERT INTO catalogue_fts(catalogue_fts, rowid, text) VALUES ('delete', old.doc, old.text); "
            "INSERT INTO catalogue_fts(rowid, text) VALUES (new.doc, new.text); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        for trigger in ('catalogue_text_ai', 'catalogue_text_ad', 'catalogue_text_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS catalogue_fts")
    op.drop_table('catalogue_facets')
    op.drop_table('catalogue_text')
    op.drop_table('catalogue_search')
