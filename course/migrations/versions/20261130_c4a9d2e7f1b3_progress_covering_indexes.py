"""covering indexes for the progress queries on reflections and week sign-offs, which
replace the trainee_id indexes they lead with

Revision ID: c4a9d2e7f1b3
Revises: b6e2f1a0c9d4
Create Date: 2026-11-30 05:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4a9d2e7f1b3'
down_revision = 'b6e2f1a0c9d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_reflection', schema=None) as batch_op:
        batch_op.create_index(
            'ix_course_reflection_progress',
            ['trainee_id', 'status', 'level', 'unit_slug'],
            unique=False,
        )
        batch_op.drop_index('ix_course_reflection_trainee_id')
    with op.batch_alter_table('course_week_sign_off', schema=None) as batch_op:
        batch_op.create_index(
            'ix_course_week_sign_off_progress',
            ['trainee_id', 'revoked_at', 'level', 'unit_slug'],
            unique=False,
        )
        batch_op.drop_index('ix_course_week_sign_off_trainee_id')


def downgrade():
    with op.batch_alter_table('course_week_sign_off', schema=None) as batch_op:
        batch_op.create_index('ix_course_week_sign_off_trainee_id', ['trainee_id'], unique=False)
        batch_op.drop_index('ix_course_week_sign_off_progress')
    with op.batch_alter_table('course_reflection', schema=None) as batch_op:
        batch_op.create_index('ix_course_reflection_trainee_id', ['trainee_id'], unique=False)
        batch_op.drop_index('ix_course_reflection_progress')
