"""version_index_prefixes: drop the two indexes of catalog_item_version that a composite index
already serves — ``item_id`` (the leading column of the unique (item_id, version)) and
``unit_key`` (the leading column of ix_catalog_item_version_unit_item, 0022).  Every saved
version paid for both; the queries that used them use the composite ones (a B-tree's leading
column serves an equality or a range on it alone).

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-24 08:40:00
"""
from alembic import op


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_catalog_item_version_item_id', table_name='catalog_item_version')
    op.drop_index('ix_catalog_item_version_unit_key', table_name='catalog_item_version')


def downgrade() -> None:
    op.create_index('ix_catalog_item_version_unit_key', 'catalog_item_version', ['unit_key'])
    op.create_index('ix_catalog_item_version_item_id', 'catalog_item_version', ['item_id'])
