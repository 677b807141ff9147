"""partner API keys, stored hashed

Revision ID: 0007_partner_keys
Revises: 0004_search
Create Date: 2026-11-22 06:00:00

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_partner_keys'
down_revision = '0004_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'partner_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('prefix', sa.String(length=32), nullable=False),
        sa.Column('partner', sa.String(length=64), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('prefix'),
    )
    op.create_index('ix_partner_keys_partner', 'partner_keys', ['partner'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_partner_keys_partner', table_name='partner_keys')
    op.drop_table('partner_keys')
