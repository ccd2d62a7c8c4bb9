"""plugin platform 2.0: policy documents, retired records (已移除), a local domain's region

Revision ID: 0011
Revises: 0005
Create Date: 2026-11-23 18:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0015'
branch_labels = None
depends_on = None

#: every table of records that data loaders apply (the ``Loaded`` mixin)
LOADED = ('disclosure_stage', 'catalog_element', 'element_requirement', 'domain', 'domain_alias',
          'domain_succession', 'admin_unit', 'pilot_program', 'standard', 'responsibility', 'schedule',
          'schedule_phase', 'milestone', 'obligation', 'indicator')


def upgrade() -> None:
    # plain ADD COLUMNs: on SQLite they keep the tables as they are
    for table in LOADED:
        op.add_column(table, sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('domain', sa.Column('region', sa.String(length=200), nullable=True))
    op.create_table(
        'policy_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=80), nullable=True),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('issuer', sa.String(length=200), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('level', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('region', sa.String(length=200), nullable=True),
        sa.Column('text_file', sa.String(length=120), nullable=True),
        sa.Column('url', sa.Text(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('key', sa.String(length=400), nullable=False),
        sa.Column('origin', sa.String(length=60), nullable=False),
        sa.Column('loaded', sa.JSON(), nullable=True),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('source_file', sa.String(length=120), nullable=True),
        sa.Column('source_section', sa.String(length=200), nullable=True),
        sa.Column('source_text', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_document')),
        sa.UniqueConstraint('key', name=op.f('uq_policy_document_key')),
    )
    op.create_index(op.f('ix_policy_document_origin'), 'policy_document', ['origin'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_policy_document_origin'), table_name='policy_document')
    op.drop_table('policy_document')
    # plain DROP COLUMNs (SQLite 3.35+): a batch copy of a referenced table fails its foreign keys
    op.drop_column('domain', 'region')
    for table in LOADED:
        op.drop_column(table, 'retired_at')
