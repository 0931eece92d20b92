"""two-step sign-in: TOTP secret, last step used, recovery code hashes

Revision ID: 9a4c1e2b7d35
Revises: 5d2b8e7f4c61
Create Date: 2026-11-30 02:40:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '9a4c1e2b7d35'
down_revision = '5d2b8e7f4c61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column('totp_recovery', sa.JSON(), server_default='[]', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('course_user', schema=None) as batch_op:
        batch_op.drop_column('totp_recovery')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
