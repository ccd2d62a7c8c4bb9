"""published_search: PostgreSQL's search words in a narrow table of their own (item, unit, domain,
tsvector; GIN index), moved out of the wide published_item, so finding the newest matches of a
query reads a small table instead of the one holding every published record

Revision ID: 0025
Revises: 0022
Create Date: 2026-11-23 22:15:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0025'
down_revision = '0022'
branch_labels = None
depends_on = None

VECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'published_search',
        sa.Column('item_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('domain_id', sa.Integer(), nullable=False),
        sa.Column('search_vector', VECTOR, nullable=False),
        sa.PrimaryKeyConstraint('item_id', name=op.f('pk_published_search')),
    )
    if op.get_bind().dialect.name == 'postgresql':  # SQLite's words are in its FTS5 table
        op.execute('INSERT INTO published_search (item_id, unit_id, domain_id, search_vector) '
                   'SELECT item_id, unit_id, domain_id, search_vector FROM published_item '
                   'WHERE search_vector IS NOT NULL ORDER BY item_id')
    op.create_index('ix_published_search_vector', 'published_search', ['search_vector'],
                    postgresql_using='gin')  # after the rows: one build, not a million inserts
    op.drop_index('ix_published_item_search_vector', table_name='published_item')
    with op.batch_alter_table('published_item') as batch:
        batch.drop_column('search_vector')


def downgrade() -> None:
    with op.batch_alter_table('published_item') as batch:
        batch.add_column(sa.Column('search_vector', VECTOR, nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('UPDATE published_item p SET search_vector = s.search_vector FROM published_search s '
                   'WHERE s.item_id = p.item_id')
    op.create_index('ix_published_item_search_vector', 'published_item', ['search_vector'],
                    postgresql_using='gin')
    op.drop_index('ix_published_search_vector', table_name='published_search')
    op.drop_table('published_search')
