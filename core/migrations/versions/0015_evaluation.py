"""evaluation: stored runs and results, engagements and assessments with evidence, questionnaires
and survey responses (issue 15)

Revision ID: 0015
Revises: 0005
Create Date: 2026-11-23 18:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'evaluation_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('system_code', sa.String(length=60), nullable=False),
        sa.Column('system_version', sa.String(length=20), nullable=False),
        sa.Column('system', sa.JSON(), nullable=False),
        sa.Column('inputs_until', sa.DateTime(timezone=True), nullable=False),
        sa.Column('fingerprint', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        sa.Column('unit_count', sa.Integer(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('published_by', sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(['region_id'], ['admin_unit.id'], name=op.f('fk_evaluation_run_region_id_admin_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_run')),
    )
    op.create_index(op.f('ix_evaluation_run_region_id'), 'evaluation_run', ['region_id'])
    op.create_index(op.f('ix_evaluation_run_period'), 'evaluation_run', ['period'])
    op.create_table(
        'evaluation_result',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('total', sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['evaluation_run.id'], name=op.f('fk_evaluation_result_run_id_evaluation_run'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_evaluation_result_unit_id_admin_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_result')),
        sa.UniqueConstraint('run_id', 'unit_id', name=op.f('uq_evaluation_result_run_id_unit_id')),
    )
    op.create_index(op.f('ix_evaluation_result_run_id'), 'evaluation_result', ['run_id'])
    op.create_index(op.f('ix_evaluation_result_unit_id'), 'evaluation_result', ['unit_id'])
    op.create_table(
        'engagement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('assessor_id', sa.Integer(), nullable=False),
        sa.Column('institution', sa.String(length=200), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['assessor_id'], ['account.id'], name=op.f('fk_engagement_assessor_id_account')),
        sa.ForeignKeyConstraint(['region_id'], ['admin_unit.id'], name=op.f('fk_engagement_region_id_admin_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement')),
    )
    op.create_index(op.f('ix_engagement_region_id'), 'engagement', ['region_id'])
    op.create_index(op.f('ix_engagement_assessor_id'), 'engagement', ['assessor_id'])
    op.create_table(
        'engagement_unit',
        sa.Column('engagement_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_engagement_unit_engagement_id_engagement'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_engagement_unit_unit_id_admin_unit'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('engagement_id', 'unit_id', name=op.f('pk_engagement_unit')),
    )
    op.create_table(
        'assessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('engagement_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.String(length=120), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_assessment_engagement_id_engagement'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_assessment_unit_id_admin_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment')),
        sa.UniqueConstraint('engagement_id', 'unit_id', name=op.f('uq_assessment_engagement_id_unit_id')),
    )
    op.create_index(op.f('ix_assessment_engagement_id'), 'assessment', ['engagement_id'])
    op.create_index(op.f('ix_assessment_unit_id'), 'assessment', ['unit_id'])
    op.create_table(
        'assessment_score',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('indicator', sa.String(length=60), nullable=False),
        sa.Column('value', sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('assessor_name', sa.String(length=120), nullable=False),
        sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_assessment_score_assessment_id_assessment'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_score')),
        sa.UniqueConstraint('assessment_id', 'indicator', name=op.f('uq_assessment_score_assessment_id_indicator')),
    )
    op.create_index(op.f('ix_assessment_score_assessment_id'), 'assessment_score', ['assessment_id'])
    op.create_table(
        'evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('score_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=120), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['score_id'], ['assessment_score.id'], name=op.f('fk_evidence_score_id_assessment_score'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    )
    op.create_index(op.f('ix_evidence_score_id'), 'evidence', ['score_id'])
    op.create_table(
        'questionnaire',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=60), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('scope_id', sa.Integer(), nullable=True),
        sa.Column('questions', sa.JSON(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['scope_id'], ['admin_unit.id'], name=op.f('fk_questionnaire_scope_id_admin_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire')),
        sa.UniqueConstraint('code', name=op.f('uq_questionnaire_code')),
    )
    op.create_index(op.f('ix_questionnaire_scope_id'), 'questionnaire', ['scope_id'])
    op.create_table(
        'survey_response',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('answered_on', sa.Date(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'],
                                name=op.f('fk_survey_response_questionnaire_id_questionnaire'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_survey_response_unit_id_admin_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    )
    op.create_index(op.f('ix_survey_response_questionnaire_id'), 'survey_response', ['questionnaire_id'])
    op.create_index(op.f('ix_survey_response_unit_id'), 'survey_response', ['unit_id'])
    op.create_index(op.f('ix_survey_response_answered_on'), 'survey_response', ['answered_on'])


def downgrade() -> None:
    for table in ('survey_response', 'questionnaire', 'evidence', 'assessment_score', 'assessment',
                  'engagement_unit', 'engagement', 'evaluation_result', 'evaluation_run'):
        op.drop_table(table)
