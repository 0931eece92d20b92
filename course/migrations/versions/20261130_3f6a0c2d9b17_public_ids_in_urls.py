"""random public ids for every record a URL names

Revision ID: 3f6a0c2d9b17
Revises: 8969566dee55
Create Date: 2026-11-30 02:00:00

Existing rows get a fresh random id each; links to them with the old integer ids
stop working (they were only ever inside the site and its emails).
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f6a0c2d9b17'
down_revision = '8969566dee55'
branch_labels = None
depends_on = None

TABLES = (
    'course_cohort',
    'course_enrolment',
    'course_invitation',
    'course_level_three_invitation',
    'course_meeting',
    'course_mentor_group',
    'course_notification',
    'course_planned_meeting',
    'course_reflection',
    'course_user',
    'course_week_sign_off',
    'course_workshop',
    'course_workshop_seat',
    'course_workshop_session',
)


def give_public_ids(table_name):
    """Add the column, fill it for the rows there, then make it required and unique."""
    with op.batch_alter_table(table_name, schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=32), nullable=True))
    table = sa.table(table_name, sa.column('id', sa.Integer), sa.column('public_id', sa.String))
    connection = op.get_bind()
    row_ids = connection.execute(sa.select(table.c.id)).scalars().all()
    if row_ids:
        connection.execute(
            table.update().where(table.c.id == sa.bindparam('row_id')).values(
                public_id=sa.bindparam('new_id')
            ),
            [{'row_id': row_id, 'new_id': secrets.token_urlsafe(16)} for row_id in row_ids],
        )
    with op.batch_alter_table(table_name, schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f(f'uq_{table_name}_public_id'), ['public_id'])


def upgrade():
    for table_name in TABLES:
        give_public_ids(table_name)


def downgrade():
    for table_name in reversed(TABLES):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table_name}_public_id'), type_='unique')
            batch_op.drop_column('public_id')
