"""fetch runs count pages, requests and 304s; bytes is a big integer

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('fetch_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pages', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('requests', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('not_modified', sa.Integer(), nullable=False, server_default='0'))
    if op.get_bind().dialect.name == 'postgresql':  # SQLite integers are 64-bit already
        op.alter_column('fetch_runs', 'bytes', type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('fetch_runs', 'bytes', type_=sa.Integer(), existing_nullable=False)
    with op.batch_alter_table('fetch_runs', schema=None) as batch_op:
        batch_op.drop_column('not_modified')
        batch_op.drop_column('requests')
        batch_op.drop_column('pages')
