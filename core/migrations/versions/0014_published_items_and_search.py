"""published_item: what the public sees, apart from the drafts, with its search index and a
generation number (published_state); api_token

Revision ID: 0014
Revises: 0005
Create Date: 2026-11-23 18:10:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'published_item',
        sa.Column('item_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('unit_key', sa.String(length=400), nullable=False),
        sa.Column('domain_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=True),
        sa.Column('stages', sa.String(length=100), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('record', sa.JSON(), nullable=False),
        sa.Column('search_vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
        sa.PrimaryKeyConstraint('item_id', name=op.f('pk_published_item')),
    )
    op.create_index('ix_published_item_unit_domain', 'published_item', ['unit_id', 'domain_id', 'item_id'])
    op.create_index('ix_published_item_domain', 'published_item', ['domain_id', 'item_id'])
    op.create_index(op.f('ix_published_item_published_at'), 'published_item', ['published_at'])
    op.create_index('ix_published_item_search_vector', 'published_item', ['search_vector'],
                    postgresql_using='gin')
    state = op.create_table(
        'published_state',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_published_state')),
    )
    op.bulk_insert(state, [{'id': 1, 'generation': 0}])
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('prefix', sa.String(length=12), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['account.id'], name=op.f('fk_api_token_user_id_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash')),
    )
    op.create_index(op.f('ix_api_token_user_id'), 'api_token', ['user_id'])
    conn = op.get_bind()
    from zwgk.published import create_fts, refresh  # the items published before this revision

    create_fts(conn)
    refresh(conn, counts=False)  # published_count comes with 0022, which counts these


def downgrade() -> None:
    op.drop_index(op.f('ix_api_token_user_id'), table_name='api_token')
    op.drop_table('api_token')
    op.drop_table('published_state')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TABLE IF EXISTS published_item_fts')
    op.drop_index('ix_published_item_search_vector', table_name='published_item')
    op.drop_index(op.f('ix_published_item_published_at'), table_name='published_item')
    op.drop_index('ix_published_item_domain', table_name='published_item')
    op.drop_index('ix_published_item_unit_domain', table_name='published_item')
    op.drop_table('published_item')
