"""SIRENE lookup cache for certification check ID-02

Revision ID: 0008_sirene_cache
Revises: 0007_partner_keys
Create Date: 2026-11-22 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_sirene_cache'
down_revision = '0007_partner_keys'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sirene_cache',
        sa.Column('siret', sa.String(length=14), primary_key=True),
        sa.Column('found', sa.Boolean(), nullable=False),
        sa.Column('etat', sa.String(length=1), nullable=True),
        sa.Column('diffusion', sa.String(length=1), nullable=True),
        sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('sirene_cache')
