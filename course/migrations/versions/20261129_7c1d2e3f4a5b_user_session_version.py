"""user.session_version: sign-out, a new password or deactivation end every session

Revision ID: 7c1d2e3f4a5b
Revises: 02d78b34a9a6
Create Date: 2026-11-29 19:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7c1d2e3f4a5b"
down_revision = "02d78b34a9a6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("course_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("course_user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
