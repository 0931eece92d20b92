"""random public ids for attempts (what their URLs carry)

Revision ID: a7d4e1f09c22
Revises: 5b2e9a41c7d3
Create Date: 2026-11-30 02:00:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "a7d4e1f09c22"
down_revision = "5b2e9a41c7d3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=32), nullable=True))
    attempt = sa.table("quiz_attempt", sa.column("id", sa.Integer), sa.column("public_id"))
    connection = op.get_bind()
    row_ids = connection.execute(sa.select(attempt.c.id)).scalars().all()
    if row_ids:
        connection.execute(
            attempt.update()
            .where(attempt.c.id == sa.bindparam("row_id"))
            .values(public_id=sa.bindparam("new_id")),
            [{"row_id": row_id, "new_id": secrets.token_urlsafe(16)} for row_id in row_ids],
        )
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.alter_column("public_id", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_quiz_attempt_public_id"), ["public_id"])


def downgrade():
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_quiz_attempt_public_id"), type_="unique")
        batch_op.drop_column("public_id")
