"""catalog item: 公开时长 (how long an item stays public), a column of local catalog variants

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 01:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: on SQLite it keeps the table (and its AUTOINCREMENT) as it is
    op.add_column('catalog_item', sa.Column('duration', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('catalog_item', table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column('duration')
