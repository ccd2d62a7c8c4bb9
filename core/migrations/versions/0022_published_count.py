"""published_count: published items per unit and domain, kept with published_item; an index of
a unit's item versions in id order (the public change list's pages)

Revision ID: 0022
Revises: 0014
Create Date: 2026-11-23 21:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'published_count',
        sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('domain_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('unit_id', 'domain_id', name=op.f('pk_published_count')),
    )
    op.create_index('ix_catalog_item_version_unit_item', 'catalog_item_version', ['unit_key', 'item_id'])
    from zwgk.published import recount  # the items published before this revision

    recount(op.get_bind())


def downgrade() -> None:
    op.drop_index('ix_catalog_item_version_unit_item', table_name='catalog_item_version')
    op.drop_table('published_count')
