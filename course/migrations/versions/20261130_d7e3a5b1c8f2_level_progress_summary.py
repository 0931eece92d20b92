"""the dashboards' maintained summary: one row per person and level
(course_level_progress); fill it with `flask course progress rebuild`

Revision ID: d7e3a5b1c8f2
Revises: c4a9d2e7f1b3
Create Date: 2026-11-30 08:10:00

"""

import sqlalchemy as sa
from alembic import op

from course.timeutil import UTCDateTime


# revision identifiers, used by Alembic.
revision = "d7e3a5b1c8f2"
down_revision = "c4a9d2e7f1b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "course_level_progress",
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("enrolment_status", sa.String(length=16), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("dealt_with", sa.BigInteger(), nullable=False),
        sa.Column("behind_since", sa.Date(), nullable=True),
        sa.Column("meeting_minutes", sa.Integer(), nullable=False),
        sa.Column("last_activity_at", UTCDateTime(), nullable=True),
        sa.Column("certified_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["course_cohort.id"],
            name=op.f("fk_course_level_progress_cohort_id_course_cohort"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["course_mentor_group.id"],
            name=op.f("fk_course_level_progress_group_id_course_mentor_group"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"],
            ["course_user.id"],
            name=op.f("fk_course_level_progress_trainee_id_course_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trainee_id", "level", name=op.f("pk_course_level_progress")),
    )
    with op.batch_alter_table("course_level_progress", schema=None) as batch_op:
        batch_op.create_index(
            "ix_course_level_progress_behind_since", ["behind_since"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_course_level_progress_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            "ix_course_level_progress_current", ["trainee_id", "current"], unique=False
        )


def downgrade():
    with op.batch_alter_table("course_level_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_course_level_progress_current")
        batch_op.drop_index(batch_op.f("ix_course_level_progress_cohort_id"))
        batch_op.drop_index("ix_course_level_progress_behind_since")
    op.drop_table("course_level_progress")
