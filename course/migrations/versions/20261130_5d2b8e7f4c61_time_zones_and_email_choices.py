"""time zones for people and agencies; which notification topics come by email

Revision ID: 5d2b8e7f4c61
Revises: 3f6a0c2d9b17
Create Date: 2026-11-30 02:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2b8e7f4c61'
down_revision = '3f6a0c2d9b17'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
    with op.batch_alter_table('course_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column('email_muted', sa.JSON(), server_default='[]', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('course_user', schema=None) as batch_op:
        batch_op.drop_column('email_muted')
        batch_op.drop_column('time_zone')
    with op.batch_alter_table('course_agency', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
