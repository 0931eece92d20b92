"""open answers read by a trainer, shuffled options, extra attempts (quizzes)

Observation answers are no longer matched against cue words: the coverage columns go,
and each open answer gets a review state, the trainer's reply and when it waits since.

Revision ID: 5b2e9a41c7d3
Revises: c139d7437f1a
Create Date: 2026-11-29 18:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5b2e9a41c7d3"
down_revision = "c139d7437f1a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seed", sa.Integer(), nullable=True))
    with op.batch_alter_table("quiz_answer", schema=None) as batch_op:
        batch_op.drop_column("auto_coverage")
        batch_op.drop_column("self_assessed")
        batch_op.add_column(sa.Column("review_state", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("reply", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("replied_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_quiz_answer_review_state"), ["review_state"], unique=False
        )
    op.create_table(
        "quiz_allowance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quiz_slug", sa.String(length=120), nullable=False),
        sa.Column("extra_attempts", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_allowance")),
        sa.UniqueConstraint("user_id", "quiz_slug", name=op.f("uq_quiz_allowance_user_id")),
    )


def downgrade():
    op.drop_table("quiz_allowance")
    with op.batch_alter_table("quiz_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_answer_review_state"))
        batch_op.drop_column("waiting_since")
        batch_op.drop_column("replied_at")
        batch_op.drop_column("replied_by")
        batch_op.drop_column("reply")
        batch_op.drop_column("review_state")
        batch_op.add_column(sa.Column("self_assessed", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("auto_coverage", sa.JSON(), nullable=True))
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.drop_column("seed")
