"""account: session generation (logout revokes every cookie issued before it)

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-23 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('account', sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('account') as batch:
        batch.drop_column('session_generation')
