"""dedup keys: blocking keys of published offers for incremental dedup

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dedup_keys",
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Integer(), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("offer_id", "rule", "key"),
    )
    op.create_index("ix_dedup_keys_key", "dedup_keys", ["key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_dedup_keys_key", table_name="dedup_keys")
    op.drop_table("dedup_keys")
