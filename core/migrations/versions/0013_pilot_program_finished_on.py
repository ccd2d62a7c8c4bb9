"""pilot programme: 结项 (finished on), so a finished pilot's milestones leave the dashboard

Revision ID: 0013
Revises: 0005
Create Date: 2026-11-23 18:35:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('pilot_program', sa.Column('finished_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pilot_program') as batch:
        batch.drop_column('finished_on')
