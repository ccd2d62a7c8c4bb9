"""participation (issue 16): feedback, interpretations, responses to public concerns, topic pages,
the contact retention setting

Revision ID: 0016
Revises: 0005
Create Date: 2026-11-23 17:51:43.926360
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('participation_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('contact_retention_days', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_participation_setting_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participation_setting')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_participation_setting_unit_id'))
    )
    op.create_table('topic_page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('author', sa.String(length=120), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_topic_page_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_page'))
    )
    with op.batch_alter_table('topic_page', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_topic_page_unit_id'), ['unit_id'], unique=False)

    op.create_table('concern_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['catalog_item.id'], name=op.f('fk_concern_response_item_id_catalog_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_concern_response_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_response'))
    )
    with op.batch_alter_table('concern_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_response_unit_id'), ['unit_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('useful', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('contact_name', sa.String(length=100), nullable=True),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('contact_purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answer_public', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=120), nullable=True),
    sa.Column('change_item_id', sa.Integer(), nullable=True),
    sa.Column('change_version', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['catalog_item.id'], name=op.f('fk_feedback_item_id_catalog_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_feedback_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_unit_id'), ['unit_id'], unique=False)

    op.create_table('interpretation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('document_title', sa.String(length=300), nullable=False),
    sa.Column('document_published_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('image', sa.LargeBinary(), nullable=True),
    sa.Column('image_type', sa.String(length=40), nullable=True),
    sa.Column('video_url', sa.String(length=500), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['catalog_item.id'], name=op.f('fk_interpretation_item_id_catalog_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpretation'))
    )
    with op.batch_alter_table('interpretation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpretation_item_id'), ['item_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('interpretation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpretation_item_id'))

    op.drop_table('interpretation')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_unit_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_status'))
        batch_op.drop_index(batch_op.f('ix_feedback_item_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_created_at'))

    op.drop_table('feedback')
    with op.batch_alter_table('concern_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_response_unit_id'))

    op.drop_table('concern_response')
    with op.batch_alter_table('topic_page', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_topic_page_unit_id'))

    op.drop_table('topic_page')
    op.drop_table('participation_setting')
